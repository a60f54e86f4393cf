package dev.fifochan.cli;

/**
 * The exit codes of the {@code fifochan} command. They are part of its interface: scripts test them,
 * {@code --help} lists them and {@code cli/README.md} documents them. The numbering matches the Go
 * peer's ({@code fifochan-peer}) where both have the same failure.
 */
public enum ExitCode {
  /** Everything went as asked; a receiver saw the clean end of the stream. */
  OK(0, "success (a clean end of stream, or the requested --count)"),
  /**
   * Any other failure: missing or unsafe file, I/O error (also one writing stdout other than a reader
   * that left, e.g. a full disk: see {@link Stdout}), internal error.
   */
  ERROR(1, "other error: missing or unsafe file, I/O error (also writing stdout, e.g. a full disk)"),
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
  /** The writer ended its stream with an error (an aborted end, wire format 1.1), whose reason is reported. */
  ABORTED(10, "aborted stream: the writer ended it with an error (its reason is printed)"),
  /**
   * {@code fifochan call}: the call ended with an error status S (1-16, gRPC's codes: docs/rpc.md §8);
   * the exit status is 64 + S.
   */
  RPC_STATUS(64, "call: the call failed with error status S, exit 64 + S (65 CANCELLED, 66 UNKNOWN, 67 INVALID_ARGUMENT,"
      + " 68 DEADLINE_EXCEEDED, 69 NOT_FOUND, 72 RESOURCE_EXHAUSTED, 73 FAILED_PRECONDITION: handshake, 76 UNIMPLEMENTED,"
      + " 77 INTERNAL, 78 UNAVAILABLE: responder gone, ... 80)"),
  /** Interrupted by SIGINT (Ctrl-C); set by the JVM, cleanup still runs. */
  INTERRUPTED(130, "interrupted (Ctrl-C); the demo still removes everything it created"),
  /**
   * stdout was closed by its reader (EPIPE, e.g. {@code | head}): the command stops quietly, as
   * SIGPIPE would stop it. Any other failure to write stdout is {@link #ERROR}.
   */
  BROKEN_PIPE(141, "stdout closed by its reader (e.g. | head): stopped quietly, as SIGPIPE stops other tools"),
  /**
   * Terminated by SIGTERM (128 + 15, set by the JVM): the normal way to stop {@code serve} and
   * {@code bridge}, which first drain calls in flight or end their output session cleanly; cleanup
   * runs as on Ctrl-C.
   */
  TERMINATED(143, "terminated (SIGTERM): how serve and bridge normally stop, after draining (serve) or ending"
      + " the output session cleanly (bridge); the demo still removes everything it created");

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
