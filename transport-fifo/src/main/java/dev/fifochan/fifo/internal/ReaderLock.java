package dev.fifochan.fifo.internal;

import dev.fifochan.fifo.FifoBusyException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The exclusive reader lock of the wire spec (design §2.8): {@code flock(fd, LOCK_EX | LOCK_NB)} on a
 * FIFO's read descriptor, taken right after opening it and before reading. The lock belongs to the
 * open file description, so it lasts until the last descriptor sharing it is closed; any two
 * fifochan readers (Java, Go, Python) exclude each other, in one process or in two.
 */
public final class ReaderLock {
  static final Path PROC_LOCKS = Path.of("/proc/locks");

  private ReaderLock() {}

  /**
   * Takes the lock on {@code fd}, a read descriptor of the FIFO {@code identity} at {@code path}. If
   * another reader holds it, throws; {@code fd} stays open (the caller closes it). Where the file
   * system offers no {@code flock} (EINVAL, ENOLCK, EOPNOTSUPP) it returns without a lock.
   *
   * @throws FifoBusyException if another reader holds the lock (its pid when {@code /proc/locks} shows it)
   */
  public static void acquire(int fd, Path path, FileStatus identity) throws IOException {
    while (LibC.flock(fd, Linux.LOCK_EX | Linux.LOCK_NB) != 0) {
      int errno = LibC.errno();
      if (errno == Linux.EINTR) {
        continue;
      }
      if (errno == Linux.EWOULDBLOCK) {
        throw Log.busy(new FifoBusyException(path, holderPid(identity)));
      }
      if (errno == Linux.EINVAL || errno == Linux.ENOLCK || errno == Linux.EOPNOTSUPP) {
        return; // a file system without flock: the lock cannot be had, and reading goes on without it
      }
      throw Errors.of("flock", path, errno);
    }
  }

  /**
   * The pid that holds a {@code FLOCK} on the file, from {@code /proc/locks} (lines such as
   * {@code 3: FLOCK  ADVISORY  WRITE 4711 00:1a:9876 0 EOF}); 0 if none is shown.
   */
  static long holderPid(FileStatus identity) {
    String id = identity.lockId();
    try (BufferedReader in = Files.newBufferedReader(PROC_LOCKS, StandardCharsets.ISO_8859_1)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.contains("->")) {
          continue; // a waiter, not the holder
        }
        String[] f = line.trim().split("\\s+");
        for (int i = 2; i < f.length; i++) {
          if (f[i].equals(id) && f[1].equals("FLOCK")) {
            try {
              return Long.parseLong(f[i - 1]);
            } catch (NumberFormatException e) {
              return 0;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc/locks: the pid stays unknown
    }
    return 0;
  }
}
