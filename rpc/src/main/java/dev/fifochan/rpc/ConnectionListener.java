package dev.fifochan.rpc;

/**
 * Told when connections of an {@link RpcClient} or {@link RpcResponder} come and go. Runs on the
 * connection's thread: it must not block. Exceptions are ignored.
 */
public interface ConnectionListener {

  /** The handshake with {@code peer} succeeded. */
  default void connected(RpcPeer peer) {}

  /**
   * The connection to {@code peer} ended; {@code cause} says why ({@link PeerGoneException},
   * {@link HandshakeException} with {@code peer} null if the handshake failed, or another
   * {@link java.io.IOException}); null after a local close.
   */
  default void disconnected(RpcPeer peer, Throwable cause) {}
}
