package dev.fifochan.spi;

import dev.fifochan.Deadline;
import java.io.IOException;

/**
 * The serving side of a transport that accepts {@link Duplex} connections (request/response).
 *
 * <p><b>The previous connection.</b> {@link #accept} may be called while a connection it returned
 * before is still open. A transport that carries several connections at once returns the next one; a
 * transport that carries one at a time (a FIFO pair) waits, within the same deadline, until the
 * connection it accepted last is closed (both halves: {@link Duplex#close()}, or the sender and
 * the receiver over its sink and source), and then accepts the next one; if the deadline passes
 * first it returns null, as when no peer came. It never fails because the previous connection is
 * still open.
 */
public interface Acceptor {

  /**
   * Accepts the next connection, waiting at most until {@code deadline} (for the previous connection
   * to close, where the transport needs that, and for a peer).
   *
   * @return the connection, or null if the deadline passed first
   * @throws java.nio.channels.ClosedChannelException if the acceptor is or gets closed
   */
  Duplex accept(Deadline deadline) throws IOException;

  /** Stops accepting; wakes a blocked {@link #accept}. Connections accepted before stay open. Any thread; idempotent. */
  void close();
}
