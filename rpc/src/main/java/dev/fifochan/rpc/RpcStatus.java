package dev.fifochan.rpc;

/**
 * The status of a failed call: a code with the same numbers and meanings as gRPC's {@code Status}
 * ({@code docs/rpc.md} §7). It travels in the {@code fc-status} header as a decimal number; a code this
 * version does not know is reported as {@link #UNKNOWN} with the number kept in
 * {@link RpcException#code()}.
 */
public enum RpcStatus {
  /** Not an error; never carried by an {@code error} frame. */
  OK(0),
  /** The caller cancelled the call (or closed the client). */
  CANCELLED(1),
  /** An error without a better code: a handler threw an exception that is not an {@link RpcException}. */
  UNKNOWN(2),
  /** The request was not acceptable: undecodable, of an unexpected type, or refused by the handler. */
  INVALID_ARGUMENT(3),
  /** The call's deadline passed before a reply arrived. */
  DEADLINE_EXCEEDED(4),
  /** Something the request names was not found (for handlers). */
  NOT_FOUND(5),
  /** Something the request would create exists already (for handlers). */
  ALREADY_EXISTS(6),
  /** The caller may not do this (for handlers). */
  PERMISSION_DENIED(7),
  /** A limit was reached: too many calls in flight, a reply or stream too large, a stream buffer full. */
  RESOURCE_EXHAUSTED(8),
  /** The two sides do not fit together: a handshake mismatch ({@link HandshakeException}). */
  FAILED_PRECONDITION(9),
  /** The operation was aborted (for handlers, e.g. a conflict). */
  ABORTED(10),
  /** A value out of range (for handlers). */
  OUT_OF_RANGE(11),
  /** No handler for the operation, or a unary call to a streaming operation or the reverse. */
  UNIMPLEMENTED(12),
  /** A broken invariant: a reply that cannot be encoded or decoded, a protocol violation. */
  INTERNAL(13),
  /**
   * The responder cannot take the call now: it is shutting down (the call was not run), or the peer is
   * gone ({@link PeerGoneException}).
   */
  UNAVAILABLE(14),
  /** Unrecoverable loss or corruption of data (for handlers). */
  DATA_LOSS(15),
  /** The caller is not authenticated (for handlers). */
  UNAUTHENTICATED(16);

  private static final RpcStatus[] BY_CODE = values();

  private final int code;

  RpcStatus(int code) {
    this.code = code;
  }

  /** The number carried in {@code fc-status}. */
  public int code() {
    return code;
  }

  /** The status with number {@code code}; {@link #UNKNOWN} for a number this version does not define. */
  public static RpcStatus ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
  }
}
