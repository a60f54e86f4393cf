package dev.fifochan.rpc;

import dev.fifochan.Deadline;
import dev.fifochan.Headers;

/**
 * What a handler knows about the call it runs: its operation, id, deadline, headers and cancellation,
 * and the peer that made it. Thread-safe.
 */
public interface CallContext {

  /** The operation ({@code fc-op}, or the request's type tag if the call named none). */
  String operation();

  /** The correlation id ({@code fc-id}), unsigned. */
  long callId();

  /**
   * The call's deadline on this side's clock: the arrival time plus the caller's time remaining
   * ({@code fc-timeout}); {@link Deadline#none()} if the caller gave none. Once it passes, the call is
   * cancelled ({@link RpcStatus#DEADLINE_EXCEEDED}) and nothing more is sent for it.
   */
  Deadline deadline();

  /**
   * Whether the call was cancelled: by the caller ({@code cancel} frame: {@link RpcStatus#CANCELLED}),
   * by its deadline ({@link RpcStatus#DEADLINE_EXCEEDED}), because the peer is gone or the responder
   * stopped ({@link RpcStatus#UNAVAILABLE}). A cancelled call's result is discarded.
   */
  boolean isCancelled();

  /** Why the call was cancelled ({@link #isCancelled()}); null while it is not. */
  RpcStatus cancelStatus();

  /**
   * Runs {@code action} once when the call is cancelled (at once if it is already). It runs on the
   * thread that cancels (the connection's reader or a timer): it must not block.
   */
  void onCancel(Runnable action);

  /** The call frame's headers (reserved {@code fc-} keys included), an immutable copy. */
  Headers headers();

  /** The peer that made the call, e.g. to send it notifications. */
  RpcPeer peer();
}
