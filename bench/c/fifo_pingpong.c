/*
 * fifo_pingpong: the FIFO's round-trip limit, for the cross-process benchmark
 * (dev.fifochan.bench.CPeer). A blocking ping-pong over two FIFOs: the pinger writes SIZE bytes into
 * OUT and waits, in a blocking read(2), until the echo has written the same SIZE bytes back into IN.
 *
 *   fifo_pingpong ping OUT IN SIZE WARMUP COUNT     prints "RTT <ns>" for each of the last COUNT
 *                                                 round trips, then "CPU <ns>"
 *   fifo_pingpong echo IN OUT SIZE TOTAL           echoes TOTAL messages, then prints "CPU <ns>"
 *
 * Open order (no deadlock): the pinger opens OUT for writing, then IN for reading; the echo opens IN
 * for reading, then OUT for writing. Plain blocking descriptors, default pipe size (messages are small),
 * page-aligned buffers. Compiled by bench/run.sh: cc -O2 -o fifo_pingpong fifo_pingpong.c
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
  fprintf(stderr, "fifo_pingpong: %s: %s\n", what, strerror(errno));
  exit(1);
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

/* Returns 0 at end of file before the first byte, 1 after SIZE bytes. */
static int read_all(int fd, unsigned char *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("read");
    }
    if (r == 0) {
      if (got == 0) return 0;
      fprintf(stderr, "fifo_pingpong: end of file inside a message\n");
      exit(1);
    }
    got += (size_t)r;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: fifo_pingpong ping OUT IN SIZE WARMUP COUNT | echo IN OUT SIZE TOTAL\n");
    return 2;
  }
  size_t size = (size_t)atol(argv[4]);
  unsigned char *buf = NULL;
  if (posix_memalign((void **)&buf, 4096, size < 4096 ? 4096 : size) != 0) die("posix_memalign");
  memset(buf, 0, size);
  if (strcmp(argv[1], "echo") == 0) {
    long total = atol(argv[5]);
    int in = open(argv[2], O_RDONLY);
    if (in < 0) die("open IN");
    int out = open(argv[3], O_WRONLY);
    if (out < 0) die("open OUT");
    long n = 0;
    while (n < total && read_all(in, buf, size)) {
      write_all(out, buf, size);
      n++;
    }
    close(out);
    close(in);
    printf("CPU %lld\n", (long long)now_ns(CLOCK_PROCESS_CPUTIME_ID));
    if (n != total) {
      fprintf(stderr, "fifo_pingpong: echoed %ld of %ld\n", n, total);
      return 1;
    }
    return 0;
  }
  if (argc < 7 || strcmp(argv[1], "ping") != 0) {
    fprintf(stderr, "usage: fifo_pingpong ping OUT IN SIZE WARMUP COUNT\n");
    return 2;
  }
  long warmup = atol(argv[5]);
  long count = atol(argv[6]);
  int64_t *rtt = malloc(sizeof(int64_t) * (size_t)(count > 0 ? count : 1));
  unsigned char *back = NULL;
  if (rtt == NULL || posix_memalign((void **)&back, 4096, size < 4096 ? 4096 : size) != 0) die("malloc");
  int out = open(argv[2], O_WRONLY);
  if (out < 0) die("open OUT");
  int in = open(argv[3], O_RDONLY);
  if (in < 0) die("open IN");
  for (long i = 0; i < warmup + count; i++) {
    buf[0] = (unsigned char)i;
    buf[size - 1] = (unsigned char)(i >> 8);
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    write_all(out, buf, size);
    if (!read_all(in, back, size)) {
      fprintf(stderr, "fifo_pingpong: echo ended after %ld\n", i);
      return 1;
    }
    int64_t t1 = now_ns(CLOCK_MONOTONIC);
    if (back[0] != buf[0] || back[size - 1] != buf[size - 1]) {
      fprintf(stderr, "fifo_pingpong: echo mismatch at %ld\n", i);
      return 1;
    }
    if (i >= warmup) rtt[i - warmup] = t1 - t0;
  }
  close(out);
  close(in);
  for (long i = 0; i < count; i++) printf("RTT %lld\n", (long long)rtt[i]);
  printf("CPU %lld\n", (long long)now_ns(CLOCK_PROCESS_CPUTIME_ID));
  return 0;
}
