package dev.fifochan.rpc;

import java.io.IOException;

/** The far side of one connection, as seen from a handler (the client) or from a client (the responder). */
public interface RpcPeer {

  /**
   * Sends a one-way notification ({@code notify} frame) to the peer, waiting for room at most
   * {@code timeout}; nothing answers it. Ordered with everything else sent on this connection.
   *
   * @param operation the operation name ({@code fc-op}, at most 255 UTF-8 bytes); null to use the message's
   *     type tag
   * @param message a value of this side's codec's type
   * @throws RpcException with {@link RpcStatus#UNAVAILABLE} if the connection is not open
   * @throws IOException if the message cannot be encoded, is too long, or the transport failed
   */
  void notify(String operation, Object message, java.time.Duration timeout) throws IOException;

  /** Whether the connection is open (the handshake succeeded and it has not been lost). */
  boolean isOpen();

  /** The connection's description (for FIFOs: the paths), for logs. */
  String description();
}
