package dev.fifochan.fifo.internal;

import com.kenai.jffi.MemoryIO;

/**
 * What {@code statx(2)} told about one file: its type and permission bits, owner, link count and
 * identity (device and inode). The {@code struct statx} layout is the same on every architecture,
 * which is why it is used instead of {@code stat}.
 */
public final class FileStatus {
  // offsets in struct statx (include/uapi/linux/stat.h)
  private static final int NLINK = 16;
  private static final int UID = 20;
  private static final int MODE = 28;
  private static final int INO = 32;
  private static final int DEV_MAJOR = 136;
  private static final int DEV_MINOR = 140;

  private final int mode;
  private final int uid;
  private final int nlink;
  private final long ino;
  private final int devMajor;
  private final int devMinor;

  FileStatus(int mode, int uid, int nlink, long ino, int devMajor, int devMinor) {
    this.mode = mode;
    this.uid = uid;
    this.nlink = nlink;
    this.ino = ino;
    this.devMajor = devMajor;
    this.devMinor = devMinor;
  }

  static FileStatus read(MemoryIO memory, long statx) {
    return new FileStatus(memory.getShort(statx + MODE) & 0xffff, memory.getInt(statx + UID),
        memory.getInt(statx + NLINK), memory.getLong(statx + INO),
        memory.getInt(statx + DEV_MAJOR), memory.getInt(statx + DEV_MINOR));
  }

  /** The whole {@code st_mode}: file type and permission bits. */
  public int mode() {
    return mode;
  }

  /** The file type bits ({@link Linux#S_IFIFO} and the like). */
  public int type() {
    return mode & Linux.S_IFMT;
  }

  /** The permission bits, including set-id and sticky bits. */
  public int permissions() {
    return mode & 07777;
  }

  public boolean isFifo() {
    return type() == Linux.S_IFIFO;
  }

  public boolean isSymlink() {
    return type() == Linux.S_IFLNK;
  }

  public int uid() {
    return uid;
  }

  /** Number of hard links: 0 once a file that is still open was removed. */
  public int nlink() {
    return nlink;
  }

  public long ino() {
    return ino;
  }

  public int devMajor() {
    return devMajor;
  }

  public int devMinor() {
    return devMinor;
  }

  /** Whether both name the same file (device and inode). */
  public boolean sameFile(FileStatus other) {
    return other != null && ino == other.ino && devMajor == other.devMajor && devMinor == other.devMinor;
  }

  /** The file type as a word, for messages. */
  public String typeName() {
    switch (type()) {
      case Linux.S_IFIFO:
        return "FIFO";
      case Linux.S_IFREG:
        return "regular file";
      case Linux.S_IFDIR:
        return "directory";
      case Linux.S_IFLNK:
        return "symbolic link";
      case Linux.S_IFSOCK:
        return "socket";
      case Linux.S_IFCHR:
        return "character device";
      default:
        return "file of type 0" + Integer.toOctalString(type());
    }
  }

  /** The identity as {@code /proc/locks} prints it: {@code MAJOR:MINOR:INODE}, device numbers in hex. */
  public String lockId() {
    return String.format("%02x:%02x:%d", devMajor, devMinor, ino);
  }

  @Override
  public String toString() {
    return typeName() + " 0" + Integer.toOctalString(permissions()) + " uid " + uid + " dev " + devMajor + ":" + devMinor + " ino " + ino;
  }
}
