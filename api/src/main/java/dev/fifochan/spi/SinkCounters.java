package dev.fifochan.spi;

/**
 * Live counters of a {@link FrameSink}, read lock-free from any thread (each value is published by the
 * writing thread; a reader sees a recent value, not a snapshot across counters).
 */
public interface SinkCounters {

  /**
   * Messages (frames, not control records) whose every byte is in the transport, in the order they
   * were committed: the {@code n}-th frame accepted by {@link FrameSink#commitFrame} is in the
   * transport if and only if this is at least {@code n} (frames withdrawn before any byte was written
   * do not count). Only grows; it stops changing once the sink is closed and a write in flight at
   * that moment has returned.
   */
  long messagesWritten();

  /** Bytes written to the transport, all records included. */
  long bytesWritten();

  /** Messages accepted ({@link FrameSink#commitFrame}) and not yet completely written. */
  long messagesPending();

  /** Whether a record is partly written (the transport holds its first bytes but not its last). */
  boolean frameTorn();

  /** How many times a write found the transport full and waited. */
  long backPressureWaits();

  /** Nanoseconds spent waiting for room in the transport. */
  long backPressureNanos();
}
