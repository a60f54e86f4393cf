package dev.fifochan.fifo.internal;

import java.util.Locale;

/**
 * Every Linux constant the transport uses, in one place. Values are the kernel's ABI; the only
 * ones that differ between the supported architectures are two {@code open(2)} flags, chosen here
 * once from {@code os.arch}: x86-64 uses the generic values, aarch64 its own
 * ({@code arch/arm64/include/uapi/asm/fcntl.h}). Any other architecture is refused by
 * {@link NativeLoader} before a call is made, because a wrong {@code O_NOFOLLOW} would silently
 * follow symbolic links.
 */
public final class Linux {
  private Linux() {}

  /** The architecture as the JVM names it, lower case ({@code amd64}, {@code aarch64}, ...). */
  static final String ARCH = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
  /** Whether {@link #ARCH} is one whose constants are known here. */
  static final boolean KNOWN_ARCH = ARCH.equals("amd64") || ARCH.equals("x86_64") || ARCH.equals("aarch64");
  private static final boolean ARM64 = ARCH.equals("aarch64");

  // open(2) flags
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_ACCMODE = 3;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;
  public static final int O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
  public static final int O_DIRECTORY = ARM64 ? 040000 : 0200000;

  // fcntl(2) commands
  public static final int F_GETFL = 3;
  public static final int F_DUPFD_CLOEXEC = 1030;
  public static final int F_SETPIPE_SZ = 1031;
  public static final int F_GETPIPE_SZ = 1032;
  /** ioctl: bytes readable in a pipe (the same on x86-64 and aarch64). */
  public static final int FIONREAD = 0x541B;

  // flock(2)
  public static final int LOCK_EX = 2;
  public static final int LOCK_NB = 4;
  public static final int LOCK_UN = 8;

  // poll(2) events
  public static final short POLLIN = 0x1;
  public static final short POLLOUT = 0x4;
  public static final short POLLERR = 0x8;
  public static final short POLLHUP = 0x10;
  public static final short POLLNVAL = 0x20;

  // statx(2)
  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_EMPTY_PATH = 0x1000;
  /** type, mode, nlink, uid, gid, ino (what {@link FileStatus} reads; dev is always filled in). */
  public static final int STATX_WANTED = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x100;
  /** {@code sizeof(struct statx)}: the same on every architecture. */
  public static final int STATX_SIZE = 256;

  // file types and mode bits (st_mode)
  public static final int S_IFMT = 0170000;
  public static final int S_IFIFO = 0010000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_ISVTX = 01000;

  // errno values (asm-generic: the same on x86-64 and aarch64)
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int ENXIO = 6;
  public static final int EAGAIN = 11;
  public static final int EWOULDBLOCK = EAGAIN;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int EPIPE = 32;
  public static final int ELOOP = 40;
  public static final int ENOSYS = 38;
  public static final int ENOLCK = 37;
  public static final int EOPNOTSUPP = 95;

  /** Bytes a pipe write is atomic up to. */
  public static final int PIPE_BUF = 4096;
}
