package dev.fifochan.rpc;

/**
 * Receives one-way notifications ({@code notify} frames). A responder runs the handler of the
 * notification's operation on its executor, one notification of a connection at a time and in order; a
 * client runs its one handler on its event thread, in order. An exception is logged and counted; nothing
 * is sent back.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface NotificationHandler<M> {
  /** Handles one notification from {@code from}. */
  void onNotification(String operation, M message, RpcPeer from) throws Exception;
}
