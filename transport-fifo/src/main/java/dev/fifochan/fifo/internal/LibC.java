package dev.fifochan.fifo.internal;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The C library functions the transport calls, bound through jffi directly (no jnr-ffi, no
 * jnr-posix: their set-up costs most of a second). Each method is one call; results and
 * {@code errno} are returned as C returns them ({@code -1} and {@link #errno()}), errors are turned
 * into exceptions by the callers ({@link Errors}).
 *
 * <p>Only {@link NativeLoader} initializes this class, and only code that has passed
 * {@link NativeLoader#require()} calls it. Strings and small structures go through a per-thread
 * native scratch area, so a call allocates nothing; {@code errno} is saved by jffi right after each
 * call ({@link LastError}), before the JVM can overwrite it.
 */
public final class LibC {
  /** A function the C library does not have. */
  static final class MissingFunction extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingFunction(String name, Throwable cause) {
      super("the C library has no function " + name + "()", cause);
    }
  }

  private static final Invoker INVOKER = Invoker.getInstance();
  private static final MemoryIO MEMORY = MemoryIO.getInstance();
  private static final Library LIBC = Library.getDefault();
  private static final LastError LAST_ERROR = LastError.getInstance();
  /** How Java maps file names to bytes on this platform, so that the names match the JDK's own file calls. */
  private static final Charset PATH_CHARSET = pathCharset();

  private static final Type I = Type.SINT32;
  private static final Type U = Type.UINT32;
  private static final Type P = Type.POINTER;
  private static final Type L = Type.SLONG;
  private static final Type UL = Type.ULONG;

  private static final Fn OPEN = Fn.variadic("open", I, 2, P, I, U);
  private static final Fn CLOSE = Fn.of("close", I, I);
  private static final Fn READ = Fn.of("read", L, I, P, UL);
  private static final Fn WRITE = Fn.of("write", L, I, P, UL);
  private static final Fn PPOLL = Fn.of("ppoll", I, P, UL, P, P);
  private static final Fn PIPE2 = Fn.of("pipe2", I, P, I);
  private static final Fn MKFIFO = Fn.of("mkfifo", I, P, U);
  private static final Fn CHMOD = Fn.of("chmod", I, P, U);
  private static final Fn STATX = Fn.of("statx", I, I, P, I, U, P);
  private static final Fn FCNTL = Fn.variadic("fcntl", I, 2, I, I, I);
  private static final Fn FLOCK = Fn.of("flock", I, I, I);
  private static final Fn GETEUID = Fn.of("geteuid", U);
  private static final Fn UNLINK = Fn.of("unlink", I, P);
  private static final Fn STRERROR = Fn.of("strerror", P, I);
  private static final Fn UMASK = Fn.of("umask", U, U);
  private static final Fn IOCTL = Fn.variadic("ioctl", I, 2, I, UL, P);

  /** Scratch: a NUL-terminated path at 0, a struct statx or pollfds + timespec after it. */
  private static final int PATH_MAX = 4096;
  private static final int SCRATCH_SIZE = PATH_MAX + 1 + 7 + Linux.STATX_SIZE + 64;
  private static final int STRUCT_OFFSET = PATH_MAX + 8;
  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<Scratch>() {
    @Override
    protected Scratch initialValue() { // no lambda: its bootstrap would cost the first open ~10 ms
      return new Scratch();
    }
  };

  private LibC() {}

  /** One bound function: its address and call description (with errno saving). */
  private static final class Fn {
    final long address;
    final CallContext context;

    private Fn(String name, Type returns, int fixed, Type... params) {
      long a;
      try {
        a = LIBC.getSymbolAddress(name);
      } catch (UnsatisfiedLinkError e) {
        throw new MissingFunction(name, e);
      }
      if (a == 0) {
        throw new MissingFunction(name, null);
      }
      this.address = a;
      this.context = fixed < params.length
          ? CallContext.getCallContext(returns, fixed, params, CallingConvention.DEFAULT, true)
          : CallContext.getCallContext(returns, params, CallingConvention.DEFAULT, true);
    }

    static Fn of(String name, Type returns, Type... params) {
      return new Fn(name, returns, params.length, params);
    }

    static Fn variadic(String name, Type returns, int fixed, Type... params) {
      return new Fn(name, returns, fixed, params);
    }
  }

  /** A per-thread native buffer for arguments; kept reachable by the thread-local. */
  private static final class Scratch {
    final ByteBuffer buffer = ByteBuffer.allocateDirect(SCRATCH_SIZE + 16).alignedSlice(16).order(ByteOrder.nativeOrder());
    final long address = MEMORY.getDirectBufferAddress(buffer) + buffer.position();
    final long struct = address + STRUCT_OFFSET;

    /** Puts {@code path} NUL-terminated at the start; returns its address. */
    long path(String path) {
      byte[] b = path.getBytes(PATH_CHARSET);
      if (b.length > PATH_MAX - 1) {
        throw new IllegalArgumentException("path longer than " + (PATH_MAX - 1) + " bytes");
      }
      for (byte x : b) {
        if (x == 0) {
          throw new IllegalArgumentException("path contains a NUL byte");
        }
      }
      MEMORY.putByteArray(address, b, 0, b.length);
      MEMORY.putByte(address + b.length, (byte) 0);
      return address;
    }
  }

  private static Charset pathCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  /** The errno the calling thread's last call through this class left. */
  public static int errno() {
    return LAST_ERROR.get();
  }

  /** {@code open(path, flags, mode)}: a descriptor, or -1. */
  public static int open(String path, int flags, int mode) {
    Scratch s = SCRATCH.get();
    return (int) INVOKER.invokeN3(OPEN.context, OPEN.address, s.path(path), flags, mode);
  }

  /** {@code close(fd)}: 0 or -1. On Linux the descriptor is released even when it reports EINTR: never retry. */
  public static int close(int fd) {
    return (int) INVOKER.invokeN1(CLOSE.context, CLOSE.address, fd);
  }

  /** {@code read(fd, address, count)}: bytes read, 0 at end of file, or -1. */
  public static long read(int fd, long address, long count) {
    return INVOKER.invokeN3(READ.context, READ.address, fd, address, count);
  }

  /** {@code write(fd, address, count)}: bytes written, or -1. */
  public static long write(int fd, long address, long count) {
    return INVOKER.invokeN3(WRITE.context, WRITE.address, fd, address, count);
  }

  /**
   * {@code ppoll} on up to two descriptors (a negative one is ignored by the kernel), at most
   * {@code timeoutNanos} (negative: no limit), with the thread's signal mask unchanged.
   *
   * @return -1 on error (see {@link #errno()}), else the revents of the first descriptor in bits
   *     0-15 and of the second in bits 16-31 (0: the time ran out)
   */
  public static int ppoll2(int fd0, short events0, int fd1, short events1, long timeoutNanos) {
    Scratch s = SCRATCH.get();
    long pfds = s.struct;
    MEMORY.putInt(pfds, fd0);
    MEMORY.putShort(pfds + 4, events0);
    MEMORY.putShort(pfds + 6, (short) 0);
    MEMORY.putInt(pfds + 8, fd1);
    MEMORY.putShort(pfds + 12, events1);
    MEMORY.putShort(pfds + 14, (short) 0);
    long ts = 0;
    if (timeoutNanos >= 0) {
      ts = pfds + 16;
      MEMORY.putLong(ts, timeoutNanos / 1_000_000_000L);
      MEMORY.putLong(ts + 8, timeoutNanos % 1_000_000_000L);
    }
    int n = (int) INVOKER.invokeN4(PPOLL.context, PPOLL.address, pfds, 2, ts, 0);
    if (n < 0) {
      return -1;
    }
    return (MEMORY.getShort(pfds + 6) & 0xffff) | (MEMORY.getShort(pfds + 14) & 0xffff) << 16;
  }

  /**
   * {@code pipe2(fds, flags)}.
   *
   * @return the read end in the low 32 bits and the write end in the high 32 bits, or -1
   */
  public static long pipe2(int flags) {
    Scratch s = SCRATCH.get();
    int r = (int) INVOKER.invokeN2(PIPE2.context, PIPE2.address, s.struct, flags);
    if (r != 0) {
      return -1;
    }
    return (MEMORY.getInt(s.struct) & 0xffffffffL) | ((long) MEMORY.getInt(s.struct + 4) << 32);
  }

  /** {@code mkfifo(path, mode)}: 0 or -1 (the umask applies). */
  public static int mkfifo(String path, int mode) {
    Scratch s = SCRATCH.get();
    return (int) INVOKER.invokeN2(MKFIFO.context, MKFIFO.address, s.path(path), mode);
  }

  /** {@code chmod(path, mode)}: 0 or -1. Follows links; used on {@code /proc/self/fd/N} only. */
  public static int chmod(String path, int mode) {
    Scratch s = SCRATCH.get();
    return (int) INVOKER.invokeN2(CHMOD.context, CHMOD.address, s.path(path), mode);
  }

  /**
   * {@code statx(dirfd, path, flags, mask)}: the status, or null with {@link #errno()} set. With
   * {@code path} empty and {@link Linux#AT_EMPTY_PATH}, the status of {@code dirfd} itself (fstat);
   * with {@link Linux#AT_SYMLINK_NOFOLLOW}, of a link itself (lstat).
   */
  public static FileStatus statx(int dirfd, String path, int flags) {
    Scratch s = SCRATCH.get();
    long p = s.path(path);
    long buf = s.struct;
    int r = (int) INVOKER.invokeN5(STATX.context, STATX.address, dirfd, p, flags, Linux.STATX_WANTED, buf);
    if (r != 0) {
      return null;
    }
    return FileStatus.read(MEMORY, buf);
  }

  /** {@code fcntl(fd, cmd, arg)} with an int argument: as the command defines, or -1. */
  public static int fcntl(int fd, int cmd, int arg) {
    return (int) INVOKER.invokeN3(FCNTL.context, FCNTL.address, fd, cmd, arg);
  }

  /** {@code flock(fd, operation)}: 0 or -1. */
  public static int flock(int fd, int operation) {
    return (int) INVOKER.invokeN2(FLOCK.context, FLOCK.address, fd, operation);
  }

  /**
   * {@code ioctl(fd, request, &value)} for a request that stores an int ({@code FIONREAD}): the
   * value, or -1 (see {@link #errno()}).
   */
  public static int ioctlInt(int fd, long request) {
    Scratch s = SCRATCH.get();
    MEMORY.putInt(s.struct, 0);
    int r = (int) INVOKER.invokeN3(IOCTL.context, IOCTL.address, fd, request, s.struct);
    return r < 0 ? -1 : MEMORY.getInt(s.struct);
  }

  /** {@code geteuid()}: the effective user id. */
  public static int geteuid() {
    return (int) INVOKER.invokeN0(GETEUID.context, GETEUID.address);
  }

  /** {@code unlink(path)}: 0 or -1. */
  public static int unlink(String path) {
    Scratch s = SCRATCH.get();
    return (int) INVOKER.invokeN1(UNLINK.context, UNLINK.address, s.path(path));
  }

  /** {@code umask(mask)}: the previous mask (process-wide: for tests). */
  public static int umask(int mask) {
    return (int) INVOKER.invokeN1(UMASK.context, UMASK.address, mask);
  }

  /** {@code strerror(errno)}: the C library's text for an error number. */
  public static String strerror(int errno) {
    long p = INVOKER.invokeN1(STRERROR.context, STRERROR.address, errno);
    if (p == 0) {
      return "error " + errno;
    }
    int len = (int) Math.min(MEMORY.getStringLength(p), 1024);
    byte[] b = new byte[len];
    MEMORY.getByteArray(p, b, 0, len);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The address of a direct buffer's first byte (not its position). */
  public static long address(ByteBuffer direct) {
    return MEMORY.getDirectBufferAddress(direct);
  }
}
