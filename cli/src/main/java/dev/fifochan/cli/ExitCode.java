package dev.fifochan.cli;

/**
 * The exit codes of the {@code fifochan} command. They are part of its interface: scripts test them,
 * {@code --help} lists them and {@code cli/README.md} documents them. The numbering matches the Go
 * peer's ({@code fifochan-peer}) where both have the same failure.
 */
public enum ExitCode {
  /** Everything went as asked; a receiver saw the clean end of the stream. */
  OK(0, "success (a clean end of stream, or the requested --count)"),
  /** Any other failure: missing or unsafe file, I/O error, internal error. */
  ERROR(1, "other error: missing or unsafe file, I/O error"),
  /** Bad command line. */
  USAGE(2, "usage error: unknown option, bad value, missing argument"),
  /** No peer opened the other end, or no message arrived, within --timeout. */
  TIMEOUT(3, "timeout: no peer opened the other end, or no message came, within --timeout"),
  /** The writer went away without a clean end of stream (crashed, or killed mid-frame). */
  TRUNCATED(4, "truncated stream: the writer died or closed without an end-of-stream frame"),
  /** The bytes are not a valid fifochan stream: corrupt frame, checksum mismatch, frame too long. */
  CORRUPT(5, "corrupt stream: bad frame, checksum mismatch or frame too long (the offset is reported)"),
  /** A message could not be decoded (recv) or an input line could not be encoded (send). */
  BAD_MESSAGE(6, "bad message: a payload could not be decoded, or an input line could not be encoded"),
  /** The reading peer closed its end while we were still sending. */
  PEER_GONE(7, "peer gone: the reader closed the FIFO (or died) while we were sending"),
  /** The stream is valid but not one we can read: unknown format version or codec. */
  INCOMPATIBLE(8, "incompatible stream: unknown wire-format version, or a codec we cannot read"),
  /**
   * The command cannot run in this environment: the JVM or a native library failed (out of memory,
   * stack overflow, a native library or class that cannot load), or no usable Java (launcher).
   */
  CANNOT_RUN(9, "cannot run here: the JVM or a native library failed (out of memory, stack overflow,"
      + " a library or class that cannot load), or no usable Java"),
  /** Interrupted by SIGINT (Ctrl-C); set by the JVM, cleanup still runs. */
  INTERRUPTED(130, "interrupted (Ctrl-C); the demo still removes everything it created"),
  /** stdout was closed by its reader (e.g. {@code | head}): the command stops quietly, as SIGPIPE would stop it. */
  BROKEN_PIPE(141, "stdout closed by its reader (e.g. | head): stopped quietly, as SIGPIPE stops other tools");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The numeric process exit status. */
  public int code() {
    return code;
  }

  /** One line describing when the command exits with this code. */
  public String meaning() {
    return meaning;
  }
}
