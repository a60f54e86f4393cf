package dev.fifochan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * Opens the reading side of a transport once per writer session, for a receiver that follows a
 * FIFO across writer restarts ({@link ChannelConfig#follow()}).
 */
public interface SourceOpener extends Closeable {

  /**
   * Opens the channel from which the next writer's bytes are read, waiting at most
   * {@code timeoutNanos} (negative: no limit) for that writer. A timed-out call leaves the opener
   * ready for the next call.
   *
   * @return the channel, or {@code null} if no writer arrived in time
   * @throws java.nio.channels.ClosedChannelException if {@link #close()} was called, also while waiting
   */
  ReadableByteChannel open(long timeoutNanos) throws IOException;

  /** Opens the next writer's channel, waiting for that writer without limit. */
  default ReadableByteChannel open() throws IOException {
    return open(-1);
  }

  /** Cancels a pending {@link #open()} and releases what the opener holds. Idempotent. */
  @Override
  void close() throws IOException;
}
