package dev.fifochan.fifo.internal;

import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.UnsafeFifoException;
import dev.fifochan.fifo.UnsafeFifoException.Reason;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Creating, checking and opening a FIFO path safely: never through a symbolic link, never anything
 * but a FIFO, never a foreign one unless allowed, never in a directory others may write to without
 * the sticky bit, and always the very inode that was checked ({@code statx} of the path before,
 * of the descriptor after opening).
 */
public final class FifoFile {
  private static final int MAX_ATTEMPTS = 5;

  private FifoFile() {}

  /** What a path names now, compared with a FIFO seen before. */
  public enum PathState {
    /** The same FIFO (device and inode). */
    SAME,
    /** Nothing. */
    REMOVED,
    /** Something else: a new FIFO, or anything else. */
    REPLACED
  }

  /** Refuses a parent directory writable by group or others unless it has the sticky bit. */
  public static void checkDirectory(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null) {
      return;
    }
    FileStatus st = LibC.statx(Linux.AT_FDCWD, parent.toString(), 0);
    if (st == null) {
      throw Errors.of("statx", parent, LibC.errno());
    }
    if ((st.mode() & 022) != 0 && (st.mode() & Linux.S_ISVTX) == 0) {
      throw Log.refused(new UnsafeFifoException(path, Reason.UNSAFE_DIRECTORY, parent + " has mode 0" + Integer.toOctalString(st.permissions())));
    }
  }

  /** mkfifo with exactly {@code mode}, whatever the umask. Fails if anything exists at {@code path}. */
  public static void create(Path path, int mode) throws IOException {
    checkDirectory(path);
    if (LibC.mkfifo(path.toString(), mode) != 0) {
      throw Errors.of("mkfifo", path, LibC.errno());
    }
    setExactMode(path, mode);
  }

  /**
   * Fixes the permission bits the umask took away, without following a symbolic link that may have
   * replaced the new FIFO: chmod through an O_PATH descriptor's /proc/self/fd entry.
   */
  private static void setExactMode(Path path, int mode) throws IOException {
    int fd = LibC.open(path.toString(), Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0);
    if (fd < 0) {
      throw Errors.of("open(O_PATH)", path, LibC.errno());
    }
    try {
      FileStatus st = fstat(fd);
      if (st == null) {
        throw Errors.of("statx", path, LibC.errno());
      }
      if (!st.isFifo()) {
        throw Log.refused(new UnsafeFifoException(path, Reason.REPLACED, "no longer a FIFO right after mkfifo"));
      }
      if (st.permissions() != mode && LibC.chmod("/proc/self/fd/" + fd, mode) != 0) {
        throw Errors.of("chmod", path, LibC.errno());
      }
    } finally {
      LibC.close(fd);
    }
  }

  /** statx of a descriptor (fstat); null with errno set on failure. */
  public static FileStatus fstat(int fd) {
    return LibC.statx(fd, "", Linux.AT_EMPTY_PATH | Linux.AT_SYMLINK_NOFOLLOW);
  }

  /** statx of a path itself, not following a final link (lstat); null with errno set on failure. */
  public static FileStatus lstat(Path path) {
    return LibC.statx(Linux.AT_FDCWD, path.toString(), Linux.AT_SYMLINK_NOFOLLOW);
  }

  /**
   * Checks the path (and first creates the FIFO if it is missing and {@code mayCreate}): it must
   * be a FIFO, not a link, owned by this user unless allowed, in a safe directory.
   */
  public static FileStatus checked(Path path, FifoOptions options, boolean mayCreate) throws IOException {
    checkDirectory(path);
    FileStatus st;
    for (int attempt = 0; (st = lstat(path)) == null; attempt++) {
      int errno = LibC.errno();
      if (errno != Linux.ENOENT || !mayCreate || attempt >= MAX_ATTEMPTS) {
        throw Errors.of("statx", path, errno);
      }
      if (LibC.mkfifo(path.toString(), options.mode()) == 0) {
        setExactMode(path, options.mode());
      } else if (LibC.errno() != Linux.EEXIST) { // EEXIST: created meanwhile by someone else; check it
        throw Errors.of("mkfifo", path, LibC.errno());
      }
    }
    if (st.isSymlink()) {
      throw Log.refused(new UnsafeFifoException(path, Reason.SYMLINK, null));
    }
    if (!st.isFifo()) {
      throw Log.refused(new UnsafeFifoException(path, Reason.NOT_A_FIFO, "a " + st.typeName()));
    }
    int euid = LibC.geteuid();
    if (!options.allowForeignOwner() && st.uid() != euid) {
      throw Log.refused(new UnsafeFifoException(path, Reason.FOREIGN_OWNER, "owner uid " + Integer.toUnsignedString(st.uid())
          + ", effective uid " + Integer.toUnsignedString(euid)));
    }
    return st;
  }

  /** The result of one attempt to open a FIFO end. */
  public static final class Opened {
    /** The descriptor (O_NONBLOCK, O_CLOEXEC), or -1 when opening the write end found no reader (ENXIO). */
    public final int fd;
    /** The FIFO that was checked (and opened, when {@link #fd} is one). */
    public final FileStatus identity;

    Opened(int fd, FileStatus identity) {
      this.fd = fd;
      this.identity = identity;
    }
  }

  /**
   * One attempt to open an end of the FIFO without blocking. {@code accessMode} is
   * {@link Linux#O_RDONLY} or {@link Linux#O_WRONLY}; with {@code mayCreate} a missing FIFO is
   * created (if the options allow it).
   */
  public static Opened open(Path path, FifoOptions options, int accessMode, boolean mayCreate) throws IOException {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      FileStatus expected = checked(path, options, mayCreate && options.createIfMissing());
      int fd = LibC.open(path.toString(), accessMode | Linux.O_NONBLOCK | Linux.O_CLOEXEC | Linux.O_NOFOLLOW, 0);
      if (fd < 0) {
        int errno = LibC.errno();
        if (errno == Linux.ENXIO) {
          return new Opened(-1, expected);
        }
        if (errno == Linux.ELOOP) {
          throw Log.refused(new UnsafeFifoException(path, Reason.SYMLINK, "replaced by a link while opening"));
        }
        if (errno == Linux.EINTR || errno == Linux.ENOENT) {
          continue; // removed meanwhile: check again
        }
        throw Errors.of("open", path, errno);
      }
      FileStatus actual = fstat(fd);
      if (actual != null && actual.isFifo() && actual.sameFile(expected)) {
        return new Opened(fd, actual);
      }
      LibC.close(fd); // replaced between check and open: check again
    }
    throw Log.refused(new UnsafeFifoException(path, Reason.REPLACED, MAX_ATTEMPTS + " attempts"));
  }

  /**
   * Opens another read descriptor (a new open file description: O_RDONLY, O_NONBLOCK, O_CLOEXEC)
   * of the very FIFO {@code fd} holds, through {@code /proc/self/fd}: no path, no race.
   */
  public static int reopenForReading(int fd, Path pathForMessages) throws IOException {
    int n = LibC.open("/proc/self/fd/" + fd, Linux.O_RDONLY | Linux.O_NONBLOCK | Linux.O_CLOEXEC, 0);
    if (n < 0) {
      throw Errors.of("open(/proc/self/fd/" + fd + ")", pathForMessages, LibC.errno());
    }
    return n;
  }

  /** What {@code path} names now compared with {@code identity}. */
  public static PathState recheck(Path path, FileStatus identity) throws IOException {
    FileStatus now = lstat(path);
    if (now == null) {
      int errno = LibC.errno();
      if (errno == Linux.ENOENT || errno == Linux.ENOTDIR) {
        return PathState.REMOVED;
      }
      throw Errors.of("statx", path, errno);
    }
    return now.sameFile(identity) ? PathState.SAME : PathState.REPLACED;
  }

  /** Unlinks the path if it still names the FIFO with this identity. */
  public static void deleteIfSame(Path path, FileStatus identity) {
    FileStatus st = lstat(path);
    if (st != null && st.isFifo() && st.sameFile(identity)) {
      LibC.unlink(path.toString());
    }
  }

  /** Asks for a pipe capacity, best effort (EPERM, EBUSY and the like are ignored); 0: do not ask. */
  public static void requestPipeSize(int fd, int bytes) {
    if (bytes > 0) {
      LibC.fcntl(fd, Linux.F_SETPIPE_SZ, bytes);
    }
  }

  /** The pipe's capacity in bytes, or 0 if the kernel does not tell (not a pipe). */
  public static int pipeSize(int fd) {
    return Math.max(0, LibC.fcntl(fd, Linux.F_GETPIPE_SZ, 0));
  }

  /** Closes a descriptor if it is one (negative: nothing); never retried (Linux releases it even on EINTR). */
  public static void closeQuietly(int fd) {
    if (fd >= 0) {
      LibC.close(fd);
    }
  }
}
