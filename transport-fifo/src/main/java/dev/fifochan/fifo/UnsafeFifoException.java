package dev.fifochan.fifo;

import dev.fifochan.FifochanException;
import java.nio.file.Path;
import java.util.Objects;

/** A path was refused because using it as a FIFO would be unsafe; {@link #reason()} tells why. */
public class UnsafeFifoException extends FifochanException {
  private static final long serialVersionUID = 1L;

  /** Why a path was refused. */
  public enum Reason {
    /** The path exists but is not a FIFO (a regular file, a directory, a socket, a device…). */
    NOT_A_FIFO("is not a FIFO"),
    /** The path is a symbolic link; FIFOs are never opened through links. */
    SYMLINK("is a symbolic link"),
    /** The FIFO belongs to another user and {@code allowForeignOwner} is off. */
    FOREIGN_OWNER("is owned by another user"),
    /** The parent directory is writable by group or others without the sticky bit. */
    UNSAFE_DIRECTORY("is in a directory that group or others may write to without the sticky bit"),
    /** The FIFO kept being replaced between checking and opening it. */
    REPLACED("was replaced while it was being opened");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    /** A short description, as used in the exception's message. */
    public String text() {
      return text;
    }
  }

  private final transient Path path;
  private final Reason reason;
  private final String detail;

  /**
   * @param path the refused path
   * @param reason why
   * @param detail what was found (e.g. "owner uid 65534, effective uid 0"), or null
   */
  public UnsafeFifoException(Path path, Reason reason, String detail) {
    this.path = path;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.detail = detail;
  }

  @Override
  public String getMessage() {
    return "refusing " + path + ": it " + reason.text() + (detail == null ? "" : " (" + detail + ")");
  }

  /** What was found, e.g. the owner or the file type; null if nothing more is known. */
  public String detail() {
    return detail;
  }

  /** The refused path. */
  public Path path() {
    return path;
  }

  /** Why it was refused. */
  public Reason reason() {
    return reason;
  }
}
