package dev.fifochan.spi;

import dev.fifochan.Deadline;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MessageException;
import dev.fifochan.StreamException;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * Where a {@link dev.fifochan.Receiver} reads records from: a transport's inbound half, carrying one or
 * more writer sessions. {@link ByteStreams#source} implements it over any byte channel; a FIFO
 * transport wraps that with follow mode; a message transport (NATS) implements it with one transport
 * message per record.
 *
 * <h2>What a {@link dev.fifochan.Receiver} tells its source</h2>
 * <ol>
 *   <li>{@link #enforceCodecs}, once, before the first {@link #next}: which writer codecs the
 *       receiver's codec accepts.</li>
 *   <li>{@link #next}, for each record.</li>
 *   <li>{@link #delivered}, for a frame the receiver is about to hand to the application (decoded,
 *       or raw to a frame handler): it is taken, not yet processed.</li>
 *   <li>{@link #released}, once for each delivered record, when the application is done with it: a
 *       {@code poll}/{@code pollFrames} handler returned or threw, or, for a message that
 *       {@code receive}, {@code receiveEnvelope} or an iterator returned, the application called the
 *       receiver again (any receive or poll, from any thread) or closed it. This is the
 *       <b>at-least-once acknowledgement point</b>: a transport with acknowledgements (JetStream)
 *       acknowledges here, so that a message whose processing a crash interrupted is delivered
 *       again. It comes before the next call of {@link #next}; a record the application never
 *       finished (the process died, the receiver was abandoned) is never released.</li>
 * </ol>
 * Frames that are not delivered (undecodable or unknown to the codec and dead-lettered or thrown) and
 * control records (session starts and ends, heartbeats) get neither {@code delivered} nor
 * {@code released}: a source settles them itself, at the latest when {@code next} is called again.
 *
 * <p>Threading: one thread at a time calls {@link #next}, {@link #delivered} and {@link #released}
 * (the receiver's lock orders them); {@link #openSessions()} and {@link #close()} may be called from
 * any thread.
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

  /**
   * The receiver hands {@code record}, a {@link InboundRecord.Kind#FRAME FRAME} that {@link #next}
   * returned last, to the application now: taken, not yet processed. {@link #released} follows when
   * the application is done with it; acknowledge there, not here.
   */
  default void delivered(InboundRecord record) {}

  /**
   * The application is done with {@code record}, the frame {@link #delivered} was called for last: the
   * at-least-once acknowledgement point (see the class description for when it comes). Called once per
   * delivered record, before the next {@link #next}; it may come after {@link #close()} (the receiver
   * was closed while a handler ran, or the application closed it after taking the record): a source
   * acknowledges then if its transport still can, and otherwise leaves the record to be delivered
   * again. Must not throw and should not block (the receiver's lock is held).
   *
   * @param record the same object {@link #delivered} got; still valid, since {@link #next} was not
   *     called since
   * @param handlerFailure null if the application processed the record: a handler returned, or a
   *     record returned by {@code receive} was followed by another call or a close; otherwise what the
   *     handler threw. A source may then make the transport deliver the record again (JetStream:
   *     {@code nak}) or acknowledge it anyway; the failure reaches the application either way.
   */
  default void released(InboundRecord record, Throwable handlerFailure) {}

  /**
   * Tells this source which writer codecs its reader accepts ({@code docs/wire-format.md} §2.7): a
   * {@link dev.fifochan.Receiver} made with {@code Receiver.over(source, codec, config)} calls it once,
   * with {@code codec::accepts} and {@code codec.name()}, before the first {@link #next}. It replaces a
   * check the source was made with.
   *
   * <p>A source that enforces it refuses each writer session whose announced codec the check refuses:
   * {@link #next} throws {@link IncompatibleStreamException} ({@link
   * IncompatibleStreamException.Reason#CODEC CODEC}, the writer's codec, {@code readerCodec}, the start's
   * position) in place of the session's {@link InboundRecord.Kind#SESSION_START SESSION_START}, and
   * returns none of that session's records (a byte stream ends there, as after any stream failure; a
   * source carrying several sessions at once skips the refused one's records and goes on with the
   * others). A session the source joined without seeing its start (a message transport) is checked with
   * the codec it assumes for it.
   *
   * <p>The default returns false: the receiver then checks each {@code SESSION_START} itself and throws
   * the same exception as a stream failure, but it cannot tell which later records belong to the
   * refused session, so a source that {@linkplain #resumesAfterFailure() resumes} or carries several
   * sessions at once must enforce the check itself.
   *
   * @param acceptsCodec whether the reader accepts a writer codec name
   * @param readerCodec the reader's codec name, for {@link IncompatibleStreamException#readerValue()}
   * @return true if this source enforces the check from now on
   */
  default boolean enforceCodecs(Predicate<String> acceptsCodec, String readerCodec) {
    return false;
  }

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
