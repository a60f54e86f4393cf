package dev.fifochan.rpc;

import java.util.Objects;

/**
 * The connection to the peer was lost while the call was pending (status {@link RpcStatus#UNAVAILABLE},
 * decided locally). Calls are at-most-once and never retried automatically.
 *
 * <p>{@link #requestWritten()} says what happened to the request: <b>false</b> means no complete copy
 * of it ever reached the transport, so the responder cannot have received it and retrying is safe;
 * <b>true</b> means every byte of it was written into the transport (the pipe) — which is not the same
 * as received: the responder may have died before reading it, while running it, or after replying.
 * <b>Written is not received.</b>
 */
public final class PeerGoneException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** How the peer went away. */
  public enum Reason {
    /** Its stream stopped without an end of stream: the process died (or dropped the connection). */
    EXITED,
    /** It ended its stream (a clean or an aborted end): it shut down or closed the connection. */
    ENDED,
    /** Nothing, not even a heartbeat, arrived for the liveness timeout: it hangs or is stopped. */
    SILENT,
    /** The connection failed otherwise: a corrupt stream, a write error, a protocol violation. */
    BROKEN
  }

  private final Reason reason;
  private final boolean requestWritten;
  private final String peer;

  PeerGoneException(Reason reason, boolean requestWritten, String peer, String detail, String operation, long callId,
      Throwable cause) {
    super(RpcStatus.UNAVAILABLE.code(), describe(reason, requestWritten, peer, detail), operation, callId, false, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.requestWritten = requestWritten;
    this.peer = peer;
  }

  private static String describe(Reason reason, boolean written, String peer, String detail) {
    String what;
    switch (reason) {
      case EXITED:
        what = "the peer is gone (its stream stopped without an end)";
        break;
      case ENDED:
        what = "the peer ended the connection";
        break;
      case SILENT:
        what = "the peer is silent (no heartbeat within the liveness timeout)";
        break;
      default:
        what = "the connection broke";
    }
    return what + (peer == null ? "" : " [" + peer + "]") + (detail == null || detail.isEmpty() ? "" : ": " + detail)
        + "; the request was " + (written ? "written into the transport (written is not received)" : "not written");
  }

  /** How the peer went away. */
  public Reason reason() {
    return reason;
  }

  /**
   * Whether every byte of the request had been written into the transport before the connection was
   * lost (see the class description: written is not received; false means retrying is safe).
   */
  public boolean requestWritten() {
    return requestWritten;
  }

  /** The connection's description (for FIFOs: the paths). */
  public String peer() {
    return peer;
  }
}
