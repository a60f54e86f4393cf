package dev.fifochan.spi;

import dev.fifochan.Deadline;
import java.io.IOException;

/** The serving side of a transport that accepts {@link Duplex} connections (request/response). */
public interface Acceptor {

  /**
   * Accepts the next connection, waiting at most until {@code deadline}.
   *
   * @return the connection, or null if the deadline passed first
   * @throws java.nio.channels.ClosedChannelException if the acceptor is or gets closed
   */
  Duplex accept(Deadline deadline) throws IOException;

  /** Stops accepting; wakes a blocked {@link #accept}. Any thread; idempotent. */
  void close();
}
