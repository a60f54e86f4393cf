package dev.fifochan.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads a byte stream record by record without decoding payloads, for tools ({@code fifochan
 * inspect}): every record as an {@link InspectedRecord}, then the {@link StreamOutcome}. Every check
 * of the wire format is made, in its order, exactly as a receiver makes it; a malformed frame (bad
 * tag or headers) is a record with an {@link InspectedRecord#error()}, after which the stream goes on.
 * Made by {@link ByteStreams#inspector}. Not thread-safe.
 */
public interface StreamInspector extends Closeable {

  /**
   * The next record, blocking until it arrives.
   *
   * @return the record, or null once the stream is over ({@link #outcome()} says how)
   * @throws IOException only for a failure of the channel itself (stream failures are outcomes)
   */
  InspectedRecord next() throws IOException;

  /** How the stream ended; null until {@link #next()} has returned null. */
  StreamOutcome outcome();

  /** Closes the channel. */
  @Override
  void close() throws IOException;
}
