package dev.fifochan.spi;

import dev.fifochan.Deadline;
import java.io.IOException;

/** The client side of a transport that connects {@link Duplex} connections (request/response). */
public interface Connector {

  /**
   * Connects to the peer, waiting at most until {@code deadline}.
   *
   * @throws dev.fifochan.OpenTimeoutException if no peer answered in time
   * @throws java.nio.channels.AsynchronousCloseException if {@link #close()} was called meanwhile
   * @throws java.nio.channels.ClosedChannelException if the connector was closed before
   */
  Duplex connect(Deadline deadline) throws IOException;

  /**
   * Stops connecting: a {@link #connect} in progress in another thread ends at once, and later ones
   * throw {@link java.nio.channels.ClosedChannelException}. Connections made before stay open. Any
   * thread; idempotent. The default does nothing (a transport whose connect cannot be cancelled: it
   * ends by its deadline).
   */
  default void close() {}
}
