package dev.fifochan.cli;

import java.util.Objects;

/**
 * A failure the command reports as one line on stderr and an {@link ExitCode}. Thrown by commands
 * for conditions they detect themselves; library exceptions are translated by {@link Failures}.
 */
public final class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ExitCode exitCode;
  private final int code;

  /** A failure with a complete one-line message, e.g. {@code "/tmp/f: no message within 5s"}. */
  public CliException(ExitCode exitCode, String message) {
    this(exitCode, message, null);
  }

  /** Like {@link #CliException(ExitCode, String)}, keeping the cause for {@code --verbose}. */
  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    this.code = exitCode.code();
  }

  /**
   * A failure whose exit status is a number of a documented range rather than one {@link ExitCode}:
   * {@code fifochan call}'s {@link ExitCode#RPC_STATUS} + the call's error status.
   */
  public CliException(ExitCode range, int code, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = Objects.requireNonNull(range, "range");
    this.code = code;
  }

  /** The process exit status. */
  public int code() {
    return code;
  }

  /** The exit code the command ends with. */
  public ExitCode exitCode() {
    return exitCode;
  }
}
