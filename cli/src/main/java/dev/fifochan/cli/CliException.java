package dev.fifochan.cli;

import java.util.Objects;

/**
 * A failure the command reports as one line on stderr and an {@link ExitCode}. Thrown by commands
 * for conditions they detect themselves; library exceptions are translated by {@link Failures}.
 */
public final class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ExitCode exitCode;

  /** A failure with a complete one-line message, e.g. {@code "/tmp/f: no message within 5s"}. */
  public CliException(ExitCode exitCode, String message) {
    this(exitCode, message, null);
  }

  /** Like {@link #CliException(ExitCode, String)}, keeping the cause for {@code --verbose}. */
  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
  }

  /** The exit code the command ends with. */
  public ExitCode exitCode() {
    return exitCode;
  }
}
