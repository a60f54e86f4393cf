package dev.fifochan.rpc;

import java.io.IOException;
import java.time.Duration;

/**
 * The items of one server-streaming call, in the order the handler sent them. Items are buffered as they
 * arrive (at most {@link RpcConfig#maxStreamBuffer()}; beyond that the call is cancelled with
 * {@link RpcStatus#RESOURCE_EXHAUSTED}). One reader thread at a time; {@link #cancel()} from any thread.
 *
 * <p>Iteration ends after the last item when the responder sent {@code done}; a failure (an error
 * status, the deadline, a cancel, a gone peer) surfaces as {@link java.io.UncheckedIOException} whose
 * cause is the {@link RpcException}.
 *
 * @param <R> the item type
 */
public interface RpcStream<R> extends Iterable<R>, AutoCloseable {

  /**
   * The next item, waiting without limit (the call's deadline still ends the stream).
   *
   * @return the item, or null after the last one ({@code done})
   * @throws RpcException if the call failed, was cancelled or its deadline passed
   * @throws java.io.InterruptedIOException if the thread was interrupted (the call goes on)
   */
  R receive() throws IOException;

  /**
   * The next item, waiting at most {@code timeout}.
   *
   * @return the item, or null after the last one
   * @throws dev.fifochan.ReceiveTimeoutException if none came in time (the call goes on)
   * @see #receive()
   */
  R receive(Duration timeout) throws IOException;

  /**
   * Cancels the call: sends a {@code cancel} frame the handler observes and ends this stream with
   * {@link RpcStatus#CANCELLED} (items already buffered are discarded). Does nothing once the stream
   * ended. Any thread; never blocks on the transport.
   */
  void cancel();

  /** Whether the stream ended: {@code done}, a failure or a cancel (buffered items may remain). */
  boolean isDone();

  /** The call's correlation id. */
  long callId();

  /** Cancels the call unless it already ended. */
  @Override
  void close();
}
