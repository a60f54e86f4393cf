package dev.fifochan.fifo;

import dev.fifochan.FifochanException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The native calls this transport needs cannot be made in this JVM, so no FIFO can be created or
 * opened. Thrown by every call that needs them, the first and every later one alike (with the same
 * {@link #getCause() cause}); never an {@link Error}.
 *
 * <p>The transport calls the C library through jffi, whose small native stub is extracted from its
 * jar into a directory and loaded from there. The usual cause of this exception is that the
 * directory is on a file system mounted {@code noexec} (hardened hosts often mount {@code /tmp} so).
 * {@link #remedy()} says what to do: start the JVM with {@code -Djffi.extract.dir=DIR} (or
 * {@code -Djava.io.tmpdir=DIR}) naming a directory, writable by this user, on a file system that
 * allows execution.
 *
 * <p>Fields: {@link #reason()}, {@link #platform()} (operating system, architecture and C library
 * as this JVM sees them), {@link #directory()} (where the stub was or would have been extracted;
 * {@code null} when that is not the problem) and the underlying {@link #getCause() cause}, if any.
 */
public class NativeUnavailableException extends FifochanException {
  private static final long serialVersionUID = 1L;

  /** Why the native calls are unavailable. */
  public enum Reason {
    /** The extraction directory is on a file system mounted {@code noexec}. */
    NOEXEC_DIRECTORY,
    /** The extraction directory could not be created or written. */
    DIRECTORY_NOT_WRITABLE,
    /** Not Linux, or an architecture whose constants this transport does not know. */
    UNSUPPORTED_PLATFORM,
    /** jffi's native stub or the C library could not be loaded (see the cause). */
    LOAD_FAILED,
    /** The C library lacks a function the transport needs (see the cause). */
    MISSING_FUNCTION
  }

  private final Reason reason;
  private final String platform;
  private final transient Path directory;

  /**
   * @param reason why
   * @param platform operating system, architecture and C library, e.g. {@code Linux amd64 glibc 2.36}
   * @param directory the extraction directory concerned, or null
   * @param cause the underlying failure, or null
   */
  public NativeUnavailableException(Reason reason, String platform, Path directory, Throwable cause) {
    super(cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.platform = Objects.requireNonNull(platform, "platform");
    this.directory = directory;
  }

  @Override
  public String getMessage() {
    return compose(reason, platform, directory, getCause());
  }

  /** Why the native calls are unavailable. */
  public Reason reason() {
    return reason;
  }

  /** Operating system, architecture and C library as this JVM sees them, e.g. {@code Linux amd64 glibc 2.36}. */
  public String platform() {
    return platform;
  }

  /** The directory the native stub was (or would have been) extracted to, or null if that is not the problem. */
  public Path directory() {
    return directory;
  }

  /** What to do about it, in one sentence. */
  public String remedy() {
    return remedy(reason);
  }

  private static String remedy(Reason reason) {
    switch (reason) {
      case NOEXEC_DIRECTORY:
      case DIRECTORY_NOT_WRITABLE:
      case LOAD_FAILED:
        return "start the JVM with -Djffi.extract.dir=DIR (or -Djava.io.tmpdir=DIR) naming a directory"
            + " this user can write on a file system mounted without noexec";
      case MISSING_FUNCTION:
        return "use a C library that has it (glibc 2.28 or later)";
      default:
        return "use Linux on x86-64 or aarch64 with glibc";
    }
  }

  private static String compose(Reason reason, String platform, Path directory, Throwable cause) {
    StringBuilder b = new StringBuilder("native calls unavailable (").append(platform).append("): ");
    switch (reason) {
      case NOEXEC_DIRECTORY:
        b.append("the native stub's directory ").append(directory).append(" is on a file system mounted noexec");
        break;
      case DIRECTORY_NOT_WRITABLE:
        b.append("the native stub cannot be extracted into ").append(directory);
        break;
      case UNSUPPORTED_PLATFORM:
        b.append("this platform is not supported");
        break;
      case MISSING_FUNCTION:
        b.append("the C library lacks a needed function");
        break;
      default:
        b.append("the native stub could not be loaded");
        if (directory != null) {
          b.append(" from ").append(directory);
        }
    }
    if (cause != null && cause.getMessage() != null) {
      String m = cause.getMessage().strip();
      int nl = m.indexOf('\n');
      b.append(" (").append(nl < 0 ? m : m.substring(0, nl)).append(')');
    }
    return b.append("; ").append(remedy(reason)).toString();
  }
}
