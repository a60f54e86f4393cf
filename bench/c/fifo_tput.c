/*
 * fifo_tput: the FIFO's physical throughput limit, for the cross-process benchmark
 * (dev.fifochan.bench.CPeer). One process writes COUNT messages of SIZE bytes into a FIFO, another
 * reads them; both enlarge the pipe to PIPE bytes (F_SETPIPE_SZ; default 1 MiB) and use page-aligned
 * buffers.
 *
 *   fifo_tput write FIFO SIZE COUNT MODE [PIPE]
 *   fifo_tput read  FIFO SIZE COUNT MODE [PIPE]
 *
 * MODE "raw":       one write(2) of SIZE payload bytes per message, no framing (e.g. 64 KiB writes);
 *                  the reader reads 64 KiB at a time until it has SIZE * COUNT bytes.
 * MODE "frames:B":  each message is a frame (4-byte little-endian length, then SIZE payload bytes);
 *                  frames are packed into a B-byte buffer that is written when the next frame does
 *                  not fit (e.g. 100 B frames batched into 64 KiB writes); the reader reads B bytes
 *                  at a time and walks the length prefixes, counting frames and checking each length.
 *
 * The writer prints "T0 <ns> CPU <ns> PIPE <bytes>", T0 being CLOCK_MONOTONIC (Java's
 * System.nanoTime()) just after the open, before the first write. The reader prints
 * "TEND <ns> CPU <ns> COUNT <n> BYTES <n> PIPE <bytes>", TEND taken after the last byte arrived.
 * CPU is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID). Exit status 1 on any error or count
 * mismatch. Compiled by bench/run.sh: cc -O2 -o fifo_tput fifo_tput.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "fifo_tput: %s: %s\n", what, strerror(errno));
  exit(1);
}

static unsigned char *aligned(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, 4096, n < 4096 ? 4096 : n) != 0) {
    fprintf(stderr, "fifo_tput: out of memory\n");
    exit(1);
  }
  memset(p, 0, n);
  return p;
}

static int pipe_size(int fd, int want) {
  if (want > 0) {
    fcntl(fd, F_SETPIPE_SZ, want); /* best effort: may exceed /proc/sys/fs/pipe-max-size */
  }
  return fcntl(fd, F_GETPIPE_SZ);
}

static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    p += w;
    n -= (size_t)w;
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: fifo_tput write|read FIFO SIZE COUNT raw|frames:BATCH [PIPE]\n");
    return 2;
  }
  int writing = strcmp(argv[1], "write") == 0;
  const char *path = argv[2];
  long size = atol(argv[3]);
  long count = atol(argv[4]);
  const char *mode = argv[5];
  int want_pipe = argc > 6 ? atoi(argv[6]) : 1 << 20;
  long batch = 0; /* 0: raw */
  if (strncmp(mode, "frames:", 7) == 0) {
    batch = atol(mode + 7);
    if (batch < size + 4) {
      fprintf(stderr, "fifo_tput: batch %ld smaller than one frame\n", batch);
      return 2;
    }
  } else if (strcmp(mode, "raw") != 0) {
    fprintf(stderr, "fifo_tput: unknown mode %s\n", mode);
    return 2;
  }

  if (writing) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) die("open for writing");
    int pipe = pipe_size(fd, want_pipe);
    unsigned char *payload = aligned((size_t)size);
    for (long i = 0; i < size; i++) payload[i] = (unsigned char)(i * 31 + 7);
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    if (batch == 0) {
      for (long i = 0; i < count; i++) write_all(fd, payload, (size_t)size);
    } else {
      unsigned char *buf = aligned((size_t)batch);
      size_t used = 0;
      uint32_t len = (uint32_t)size;
      for (long i = 0; i < count; i++) {
        if (used + 4 + (size_t)size > (size_t)batch) {
          write_all(fd, buf, used);
          used = 0;
        }
        memcpy(buf + used, &len, 4); /* little-endian on the machines we run on */
        memcpy(buf + used + 4, payload, (size_t)size);
        used += 4 + (size_t)size;
      }
      if (used > 0) write_all(fd, buf, used);
    }
    int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    close(fd);
    printf("T0 %lld CPU %lld PIPE %d\n", (long long)t0, (long long)cpu, pipe);
    return 0;
  }

  int fd = open(path, O_RDONLY);
  if (fd < 0) die("open for reading");
  int pipe = pipe_size(fd, want_pipe);
  size_t chunk = batch > 0 ? (size_t)batch : 65536;
  unsigned char *buf = aligned(chunk);
  long frames = 0;
  long long bytes = 0;
  long long want_bytes = batch > 0 ? (long long)count * (size + 4) : (long long)count * size;
  /* frame walk state: bytes of the current header seen, payload bytes still to skip */
  unsigned char hdr[4];
  int hdr_have = 0;
  long skip = 0;
  int bad = 0;
  while (bytes < want_bytes) {
    ssize_t n = read(fd, buf, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("read");
    }
    if (n == 0) break;
    bytes += n;
    if (batch > 0) {
      size_t at = 0;
      while (at < (size_t)n) {
        if (skip > 0) {
          size_t take = (size_t)n - at < (size_t)skip ? (size_t)n - at : (size_t)skip;
          at += take;
          skip -= (long)take;
          continue;
        }
        hdr[hdr_have++] = buf[at++];
        if (hdr_have == 4) {
          uint32_t len;
          memcpy(&len, hdr, 4);
          if (len != (uint32_t)size) bad = 1;
          skip = len;
          hdr_have = 0;
          frames++;
        }
      }
    }
  }
  int64_t tend = now_ns(CLOCK_MONOTONIC);
  int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  close(fd);
  long got = batch > 0 ? frames : (long)(bytes / size);
  printf("TEND %lld CPU %lld COUNT %ld BYTES %lld PIPE %d\n", (long long)tend, (long long)cpu, got, bytes, pipe);
  if (bad || bytes != want_bytes || got != count) {
    fprintf(stderr, "fifo_tput: got %ld messages (%lld bytes), expected %ld (%lld bytes)%s\n", got, bytes, count,
        want_bytes, bad ? "; a frame had the wrong length" : "");
    return 1;
  }
  return 0;
}
