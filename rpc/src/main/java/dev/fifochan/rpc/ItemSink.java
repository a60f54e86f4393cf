package dev.fifochan.rpc;

import java.io.IOException;

/**
 * Where a {@link StreamHandler} sends the items of its stream, in order. Valid during the handler's
 * call; one thread at a time.
 *
 * @param <R> the item type
 */
public interface ItemSink<R> {
  /**
   * Sends one {@code item} frame, waiting for room in the transport until the call's deadline.
   *
   * @throws RpcException with the cancel status if the call was cancelled (its deadline passed, the
   *     caller cancelled or went away): stop producing
   * @throws IOException if the item cannot be encoded or is too long (the stream goes on), or the
   *     transport failed
   */
  void send(R item) throws IOException;
}
