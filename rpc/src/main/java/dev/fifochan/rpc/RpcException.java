package dev.fifochan.rpc;

import dev.fifochan.FifochanException;
import java.util.Objects;

/**
 * A call failed with a status: the caller receives it from {@link RpcClient} (directly from the
 * blocking calls, as the cause of the future's {@link java.util.concurrent.ExecutionException}
 * otherwise), and a handler throws it to send an error reply with its status and text.
 *
 * <p>{@link #isRemote()} tells where the status was decided: by the responder (it came in an
 * {@code error} frame, and {@link #code()} is the number it sent) or locally by the client (deadline,
 * cancellation, a reply that cannot be decoded, a gone peer). Subclasses:
 * {@link PeerGoneException} (the connection was lost; says whether the request had been written) and
 * {@link HandshakeException} (the two sides do not fit together).
 */
public class RpcException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final int code;
  private final String text;
  private final String operation;
  private final long callId;
  private final boolean remote;

  /**
   * For handlers: an error reply with {@code status} and {@code message} (sent as {@code fc-status}
   * and {@code fc-message}; the message is cut to 4096 UTF-8 bytes).
   *
   * @throws IllegalArgumentException if {@code status} is {@link RpcStatus#OK}
   */
  public RpcException(RpcStatus status, String message) {
    this(status, message, null);
  }

  /** For handlers: as {@link #RpcException(RpcStatus, String)}, with a local cause (not sent). */
  public RpcException(RpcStatus status, String message, Throwable cause) {
    this(Objects.requireNonNull(status, "status").code(), message, null, 0, false, cause);
    if (status == RpcStatus.OK) {
      throw new IllegalArgumentException("an error cannot have status OK");
    }
  }

  RpcException(int code, String text, String operation, long callId, boolean remote, Throwable cause) {
    super(cause);
    this.code = code;
    this.text = text == null ? "" : text;
    this.operation = operation;
    this.callId = callId;
    this.remote = remote;
  }

  /** The status ({@link RpcStatus#UNKNOWN} for a number this version does not define; see {@link #code()}). */
  public RpcStatus status() {
    return RpcStatus.ofCode(code);
  }

  /** The status number as sent or decided (equal to {@code status().code()} for the defined ones). */
  public int code() {
    return code;
  }

  /** The status text alone: the responder's {@code fc-message}, or the local reason. */
  public String statusMessage() {
    return text;
  }

  /** The operation of the call; null if unknown (an exception a handler made itself). */
  public String operation() {
    return operation;
  }

  /** The call's correlation id ({@code fc-id}); 0 if none (not yet sent, or a connection error). */
  public long callId() {
    return callId;
  }

  /** True if the responder sent this status in an {@code error} frame; false if decided locally. */
  public boolean isRemote() {
    return remote;
  }

  @Override
  public String getMessage() {
    StringBuilder b = new StringBuilder();
    b.append(status()).append(" (").append(code).append(')');
    if (remote) {
      b.append(" from the responder");
    }
    if (!text.isEmpty()) {
      b.append(": ").append(text);
    }
    if (operation != null || callId != 0) {
      b.append(" [");
      if (operation != null) {
        b.append("operation '").append(operation).append('\'');
      }
      if (callId != 0) {
        b.append(operation != null ? ", " : "").append("call ").append(Long.toUnsignedString(callId));
      }
      b.append(']');
    }
    return b.toString();
  }
}
