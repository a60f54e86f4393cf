package dev.fifochan.fifo.internal;

import dev.fifochan.fifo.UnsafeFifoException;
import dev.fifochan.fifo.UnsafeFifoException.Reason;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Paths that name a descriptor this process already holds, as a shell hands them over: process
 * substitution ({@code <(cmd)}: {@code /dev/fd/63}), {@code /dev/stdin}, {@code /dev/fd/N},
 * {@code /proc/self/fd/N} or {@code /proc/PID/fd/N} with this process's pid. Such a path is a
 * symbolic link into {@code /proc}, so the FIFO rules would refuse it, yet no path race exists
 * there: the descriptor is the file. Accepted are pipes, FIFOs and regular files (a recorded
 * stream), opened for the access asked for:
 * <ul>
 *   <li>a pipe or FIFO is opened afresh through {@code /proc/self/fd/N} (a new open file
 *       description, so that setting {@code O_NONBLOCK} does not change the descriptor the shell
 *       and other processes share);
 *   <li>a regular file is duplicated ({@code F_DUPFD_CLOEXEC}), sharing its offset as {@code cat}
 *       would.
 * </ul>
 * The descriptor must be open for that access. Anything else (a socket, a terminal, a directory) is
 * refused with {@link UnsafeFifoException} ({@link Reason#NOT_A_FIFO}).
 */
public final class InheritedDescriptor {

  private InheritedDescriptor() {}

  /** The descriptor number {@code path} names, or -1 if it is not such a path. */
  public static int number(Path path) {
    String s = path.toAbsolutePath().normalize().toString();
    switch (s) {
      case "/dev/stdin":
        return 0;
      case "/dev/stdout":
        return 1;
      case "/dev/stderr":
        return 2;
      default:
        break;
    }
    String rest;
    if (s.startsWith("/dev/fd/")) {
      rest = s.substring("/dev/fd/".length());
    } else if (s.startsWith("/proc/self/fd/")) {
      rest = s.substring("/proc/self/fd/".length());
    } else if (s.startsWith("/proc/")) {
      int slash = s.indexOf('/', "/proc/".length());
      if (slash < 0 || !s.startsWith("/fd/", slash)
          || decimal(s.substring("/proc/".length(), slash)) != ProcessHandle.current().pid()) {
        return -1;
      }
      rest = s.substring(slash + "/fd/".length());
    } else {
      return -1;
    }
    long n = decimal(rest);
    return n >= 0 && n <= Integer.MAX_VALUE ? (int) n : -1;
  }

  /** The value of 1 to 10 ASCII digits, or -1. */
  private static long decimal(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /**
   * Opens descriptor {@code n} (named by {@code path}) for {@code accessMode}
   * ({@link Linux#O_RDONLY} or {@link Linux#O_WRONLY}).
   *
   * @return a descriptor of this transport's own (O_CLOEXEC; O_NONBLOCK for pipes and FIFOs)
   */
  public static int open(Path path, int n, int accessMode) throws IOException {
    FileStatus st = FifoFile.fstat(n);
    if (st == null) {
      throw Errors.of("statx of descriptor " + n, path, LibC.errno());
    }
    int flags = LibC.fcntl(n, Linux.F_GETFL, 0);
    if (flags < 0) {
      throw Errors.of("fcntl(F_GETFL) of descriptor " + n, path, LibC.errno());
    }
    int held = flags & Linux.O_ACCMODE;
    if (held != Linux.O_RDWR && held != accessMode) {
      throw new FileSystemException(path.toString(), null, "descriptor " + n + " is not open for "
          + (accessMode == Linux.O_RDONLY ? "reading" : "writing"));
    }
    int fd;
    if (st.isFifo()) {
      fd = LibC.open("/proc/self/fd/" + n, accessMode | Linux.O_NONBLOCK | Linux.O_CLOEXEC, 0);
      if (fd < 0) {
        int errno = LibC.errno();
        if (errno == Linux.ENXIO) {
          throw new FileSystemException(path.toString(), null, "descriptor " + n + " is a pipe without a reader");
        }
        throw Errors.of("open(/proc/self/fd/" + n + ")", path, errno);
      }
      FileStatus again = FifoFile.fstat(fd);
      if (again == null || !again.sameFile(st)) {
        FifoFile.closeQuietly(fd);
        throw Log.refused(new UnsafeFifoException(path, Reason.REPLACED, "descriptor " + n + " changed while opening"));
      }
    } else if (st.type() == Linux.S_IFREG) {
      fd = LibC.fcntl(n, Linux.F_DUPFD_CLOEXEC, 0);
      if (fd < 0) {
        throw Errors.of("fcntl(F_DUPFD_CLOEXEC)", path, LibC.errno());
      }
    } else {
      throw Log.refused(new UnsafeFifoException(path, Reason.NOT_A_FIFO, "descriptor " + n + " is a " + st.typeName()
          + "; accepted are pipes, FIFOs and regular files"));
    }
    return fd;
  }
}
