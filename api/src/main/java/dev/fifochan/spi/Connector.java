package dev.fifochan.spi;

import dev.fifochan.Deadline;
import java.io.IOException;

/** The client side of a transport that connects {@link Duplex} connections (request/response). */
public interface Connector {

  /**
   * Connects to the peer, waiting at most until {@code deadline}.
   *
   * @throws dev.fifochan.OpenTimeoutException if no peer answered in time
   */
  Duplex connect(Deadline deadline) throws IOException;
}
