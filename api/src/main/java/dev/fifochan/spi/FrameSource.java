package dev.fifochan.spi;

import dev.fifochan.Deadline;
import dev.fifochan.MessageException;
import dev.fifochan.StreamException;
import java.io.IOException;

/**
 * Where a {@link dev.fifochan.Receiver} reads records from: a transport's inbound half, carrying one or
 * more writer sessions. {@link ByteStreams#source} implements it over any byte channel; a FIFO
 * transport wraps that with follow mode; a message transport (NATS) implements it with one transport
 * message per record.
 *
 * <p>Threading: one thread at a time calls {@link #next}; {@link #openSessions()} and
 * {@link #close()} may be called from any thread.
 */
public interface FrameSource {

  /**
   * Reads the next record, waiting at most until {@code deadline}.
   *
   * @return the record (valid until the next call), or null if the deadline passed first
   * @throws StreamException if the stream failed; a plain source then throws it on every later call,
   *     a {@linkplain #resumesAfterFailure() resuming} one goes on with the next writer session
   * @throws MessageException if one frame is malformed (bad tag or headers: {@link
   *     dev.fifochan.MalformedFrameException}); the frame is consumed and the next call goes on
   * @throws java.nio.channels.AsynchronousCloseException if {@link #close()} was called meanwhile
   * @throws java.nio.channels.ClosedChannelException if called after {@link #close()}
   */
  InboundRecord next(Deadline deadline) throws IOException;

  /** The application took {@code record} (a transport with acknowledgements acknowledges here). */
  default void delivered(InboundRecord record) {}

  /**
   * When this source last received anything from the transport (any byte, or any transport message),
   * as a {@link System#nanoTime()} value, for the receiver's liveness timeout; {@link Long#MIN_VALUE}
   * (the default) if it does not track it, and the receiver then counts only whole records. Called by
   * the thread that calls {@link #next}.
   */
  default long lastActivityNanos() {
    return Long.MIN_VALUE;
  }

  /**
   * The reader's position: where the next record starts (its first byte's position, as
   * {@link InboundRecord#position()} counts), in the current reader session; -1 (the default) if the
   * transport does not know. Called by the thread that calls {@link #next}; reported by
   * {@link dev.fifochan.LivenessTimeoutException#position()}.
   */
  default long position() {
    return -1;
  }

  /** Writer sessions that have started and not yet ended. Any thread. */
  int openSessions();

  /**
   * Whether {@link #next} goes on with the next writer session after it threw a
   * {@link StreamException} or returned an aborted session end (follow mode). A plain source does not:
   * its receiver then makes the failure sticky.
   */
  default boolean resumesAfterFailure() {
    return false;
  }

  /** A description of the transport end, for messages and logs. */
  String description();

  /** Closes the source at once. Any thread; wakes a blocked {@link #next}; idempotent. */
  void close();
}
