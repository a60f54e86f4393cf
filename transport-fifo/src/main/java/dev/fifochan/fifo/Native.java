package dev.fifochan.fifo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** The system calls this transport uses: jnr-posix, plus a few libc calls it lacks (jnr-ffi). */
final class Native {
  /** libc calls that jnr-posix does not offer, or not in the form needed here. */
  public interface Calls {
    int ppoll(@In @Out int[] pollfds, @u_int64_t long nfds, @In long[] timespec, Pointer sigmask);

    int pipe2(@Out int[] fds, int flags);

    @ssize_t long read(int fd, @intptr_t long buf, @size_t long count);

    @ssize_t long write(int fd, @intptr_t long buf, @size_t long count);
  }

  static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  static final Calls CALLS = LibraryLoader.create(Calls.class).option(LibraryOption.SaveError, true).load("c");
  private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(CALLS);

  static final int O_RDONLY = OpenFlags.O_RDONLY.intValue();
  static final int O_WRONLY = OpenFlags.O_WRONLY.intValue();
  static final int O_NONBLOCK = OpenFlags.O_NONBLOCK.intValue();
  static final int O_CLOEXEC = OpenFlags.O_CLOEXEC.intValue();
  static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue();
  /** Linux O_PATH (the same value on x86-64, arm64 and the other common architectures). */
  static final int O_PATH = 010000000;

  static final short POLLIN = 0x1;
  static final short POLLOUT = 0x4;
  static final short POLLERR = 0x8;
  static final short POLLHUP = 0x10;
  static final short POLLNVAL = 0x20;

  static final int F_SETPIPE_SZ = 1031;
  static final int F_GETPIPE_SZ = 1032;

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int ENXIO = 6;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int EPIPE = 32;
  static final int ELOOP = 40;

  static final int S_IFMT = 0170000;
  static final int S_IFIFO = 0010000;
  static final int S_IFLNK = 0120000;
  static final int S_ISVTX = 01000;

  private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

  static {
    if (!POSIX.isNative()) {
      throw new UnsupportedOperationException("fifochan transport-fifo needs native POSIX calls (jnr-posix fell back to Java)");
    }
  }

  private Native() {}

  static int errno() {
    return LastError.getLastError(RUNTIME);
  }

  /** The address of a direct buffer's first byte (not its position). */
  static long address(ByteBuffer direct) {
    return com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(direct);
  }

  /** One {@code struct pollfd} as two ints: fd, then events and revents (native byte order). */
  static void setPollFd(int[] pfds, int index, int fd, short events) {
    pfds[2 * index] = fd;
    pfds[2 * index + 1] = LITTLE_ENDIAN ? (events & 0xffff) : (events & 0xffff) << 16;
  }

  static short revents(int[] pfds, int index) {
    int v = pfds[2 * index + 1];
    return (short) (LITTLE_ENDIAN ? v >>> 16 : v & 0xffff);
  }

  static void closeQuietly(int fd) {
    if (fd >= 0) {
      POSIX.close(fd); // Linux: the fd is released even if close reports EINTR; never retry
    }
  }

  /** An IOException for a failed call, of the java.nio.file type that fits the errno when there is one. */
  static IOException error(String op, Path path, int errno) {
    String reason = POSIX.strerror(errno) + " (errno " + errno + ", " + op + ")";
    String file = path == null ? null : path.toString();
    switch (errno) {
      case ENOENT:
        return new NoSuchFileException(file, null, reason);
      case EEXIST:
        return new FileAlreadyExistsException(file, null, reason);
      case EACCES:
      case EPERM:
        return new AccessDeniedException(file, null, reason);
      default:
        return file == null ? new IOException(reason) : new FileSystemException(file, null, reason);
    }
  }
}
