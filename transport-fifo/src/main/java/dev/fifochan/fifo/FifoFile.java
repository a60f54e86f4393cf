package dev.fifochan.fifo;

import static dev.fifochan.fifo.Native.POSIX;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.UnsafeFifoException.Reason;
import java.io.IOException;
import java.nio.file.Path;
import jnr.posix.FileStat;

/**
 * Creating, checking and opening a FIFO path safely: never through a symbolic link, never anything
 * but a FIFO, never a foreign one unless allowed, never in a directory others may write to without
 * the sticky bit, and always the very inode that was checked (lstat before, fstat after open).
 */
final class FifoFile {
  private static final int MAX_ATTEMPTS = 5;

  private FifoFile() {}

  /** Refuses a parent directory writable by group or others unless it has the sticky bit. */
  static void checkDirectory(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null) {
      return;
    }
    FileStat st = POSIX.allocateStat();
    if (POSIX.stat(parent.toString(), st) != 0) {
      throw Native.error("stat", parent, Native.errno());
    }
    int mode = st.mode();
    if ((mode & 022) != 0 && (mode & Native.S_ISVTX) == 0) {
      throw new UnsafeFifoException(path, Reason.UNSAFE_DIRECTORY,
          parent + " has mode 0" + Integer.toOctalString(mode & 07777));
    }
  }

  /** mkfifo with exactly {@code mode}, whatever the umask. Fails if anything exists at {@code path}. */
  static void create(Path path, int mode) throws IOException {
    checkDirectory(path);
    if (POSIX.mkfifo(path.toString(), mode) != 0) {
      throw Native.error("mkfifo", path, Native.errno());
    }
    setExactMode(path, mode);
  }

  /**
   * Fixes the permission bits the umask took away, without following a symbolic link that may have
   * replaced the new FIFO: chmod through an O_PATH descriptor's /proc/self/fd entry.
   */
  private static void setExactMode(Path path, int mode) throws IOException {
    int fd = POSIX.open(path.toString(), Native.O_PATH | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0);
    if (fd < 0) {
      throw Native.error("open(O_PATH)", path, Native.errno());
    }
    try {
      FileStat st = POSIX.allocateStat();
      if (POSIX.fstat(fd, st) != 0) {
        throw Native.error("fstat", path, Native.errno());
      }
      if (!st.isFifo()) {
        throw new UnsafeFifoException(path, Reason.REPLACED, "no longer a FIFO right after mkfifo");
      }
      if ((st.mode() & 07777) != mode && POSIX.chmod("/proc/self/fd/" + fd, mode) != 0) {
        throw Native.error("chmod", path, Native.errno());
      }
    } finally {
      Native.closeQuietly(fd);
    }
  }

  /** lstat and check the path, first creating the FIFO if it is missing and the config allows it. */
  static FileStat checked(Path path, ChannelConfig config) throws IOException {
    checkDirectory(path);
    FileStat st = POSIX.allocateStat();
    for (int attempt = 0; POSIX.lstat(path.toString(), st) != 0; attempt++) {
      int errno = Native.errno();
      if (errno != Native.ENOENT || !config.createIfMissing() || attempt >= MAX_ATTEMPTS) {
        throw Native.error("lstat", path, errno);
      }
      if (POSIX.mkfifo(path.toString(), config.fifoMode()) == 0) {
        setExactMode(path, config.fifoMode());
      } else if (Native.errno() != Native.EEXIST) { // EEXIST: created meanwhile by someone else; check it
        throw Native.error("mkfifo", path, Native.errno());
      }
    }
    int type = st.mode() & Native.S_IFMT;
    if (type == Native.S_IFLNK) {
      throw new UnsafeFifoException(path, Reason.SYMLINK, null);
    }
    if (type != Native.S_IFIFO) {
      throw new UnsafeFifoException(path, Reason.NOT_A_FIFO, "file type " + st.ftype());
    }
    int euid = POSIX.geteuid();
    if (!config.allowForeignOwner() && st.uid() != euid) {
      throw new UnsafeFifoException(path, Reason.FOREIGN_OWNER, "owner uid " + st.uid() + ", effective uid " + euid);
    }
    return st;
  }

  /**
   * One attempt to open an end of the FIFO, non-blocking: returns the descriptor (O_NONBLOCK,
   * O_CLOEXEC), or {@code -ENXIO} when opening the write end found no reader. {@code identity}
   * receives the device and inode of the FIFO that was checked (also when no reader was found).
   */
  static int open(Path path, ChannelConfig config, int accessMode, long[] identity) throws IOException {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      FileStat expected = checked(path, config);
      identity[0] = expected.dev();
      identity[1] = expected.ino();
      int fd = POSIX.open(path.toString(), accessMode | Native.O_NONBLOCK | Native.O_CLOEXEC | Native.O_NOFOLLOW, 0);
      if (fd < 0) {
        int errno = Native.errno();
        if (errno == Native.ENXIO) {
          return -Native.ENXIO;
        }
        if (errno == Native.ELOOP) {
          throw new UnsafeFifoException(path, Reason.SYMLINK, "replaced by a link while opening");
        }
        if (errno == Native.EINTR || errno == Native.ENOENT) {
          continue; // removed meanwhile: check again (and maybe create it again)
        }
        throw Native.error("open", path, errno);
      }
      FileStat actual = POSIX.allocateStat();
      if (POSIX.fstat(fd, actual) == 0 && actual.isFifo()
          && actual.dev() == expected.dev() && actual.ino() == expected.ino()) {
        return fd;
      }
      Native.closeQuietly(fd); // replaced between lstat and open: check again
    }
    throw new UnsafeFifoException(path, Reason.REPLACED, MAX_ATTEMPTS + " attempts");
  }

  /** Unlinks the path if it still names the FIFO with this identity. */
  static void deleteIfSame(Path path, long dev, long ino) {
    FileStat st = POSIX.allocateStat();
    if (POSIX.lstat(path.toString(), st) == 0 && st.isFifo() && st.dev() == dev && st.ino() == ino) {
      POSIX.unlink(path.toString());
    }
  }
}
