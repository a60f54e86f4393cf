package dev.fifochan.spi;

import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.PayloadSink;
import dev.fifochan.PeerClosedException;
import dev.fifochan.SendStatus;
import dev.fifochan.WireVersion;
import java.io.IOException;

/**
 * Where a {@link dev.fifochan.Sender} writes one writer session's records: a transport's outbound
 * half. {@link ByteStreams#sink} implements it over any byte channel; a message transport (NATS)
 * implements it with one transport message per record.
 *
 * <p>Threading: one thread at a time calls the writing methods and {@link #hasPending()} (the sender
 * serializes them with its lock); {@link #wakeup()}, {@link #counters()}, {@link #description()} and
 * {@link #close()} may be called from any thread at any time.
 *
 * <p>Lifecycle: {@link #start} once, then frames ({@link #beginFrame}, payload, {@link #commitFrame}
 * or {@link #abortFrame}), flushes and heartbeats, then {@link #end} or {@link #abort}, then
 * {@link #close()}. Every wait takes the caller's {@link Deadline}; a wait that runs out of time or is
 * woken by {@link #wakeup()} gives up the same way, and a wait whose thread is interrupted throws
 * {@link java.io.InterruptedIOException}.
 *
 * <p>The data promise: a frame reaches the transport whole and in order, or, when the sink gives up
 * with it partly written, the sink reports it torn ({@link SinkCounters#frameTorn()}) and the reader
 * will see a truncated stream. A frame that no byte of has been written can always be withdrawn.
 */
public interface FrameSink {

  /**
   * Starts the session: buffers the preamble announcing {@code codecName} in wire format
   * {@code version} (a byte stream writes it with the first flush).
   *
   * @throws IllegalArgumentException if {@code codecName} is not 1 to 64 printable ASCII characters
   */
  void start(String codecName, WireVersion version) throws IOException;

  /**
   * Begins a message frame and returns where its payload goes; call {@link #commitFrame} or
   * {@link #abortFrame} next.
   *
   * @param tagUtf8 the type tag in UTF-8, at most 255 bytes
   * @param headers the headers, {@link Headers#empty()} for none
   * @throws MessageTooLongException with limit {@code HEADERS} if the headers break a size rule
   * @throws IllegalStateException if headers are given in wire format 1.0
   * @throws IllegalArgumentException if the tag is too long or a header key is invalid
   */
  PayloadSink beginFrame(byte[] tagUtf8, Headers headers) throws IOException;

  /**
   * Completes the frame begun last.
   *
   * <p>{@link SendStatus#ACCEPTED}: the frame is whole in the sink, or already (partly) in the
   * transport, and will be written in order (with a zero flush delay the sink has written it, or at
   * least its first byte, before returning). {@link SendStatus#BACK_PRESSURED}: no room was found
   * before {@code deadline} (or the wait was woken); the frame was discarded and no byte of it
   * written. A transport between connections may answer {@link SendStatus#NOT_CONNECTED} (frame
   * discarded).
   *
   * @throws MessageTooLongException if the record exceeds the atomic write size or the transport's
   *     limit (frame discarded)
   * @throws java.io.InterruptedIOException if interrupted while no byte of the frame was written
   *     (frame discarded; once a byte is written the frame is accepted and the interrupt flag stays)
   * @throws PeerClosedException if the reader is gone (the sink is failed)
   */
  SendStatus commitFrame(Deadline deadline) throws IOException;

  /** Discards the frame begun last; nothing of it is written. Does nothing without one. */
  void abortFrame();

  /**
   * Writes everything buffered.
   *
   * @return true if everything is in the transport; false if {@code deadline} passed or the wait was
   *     woken first (what was written stays written, the rest stays buffered)
   */
  boolean flush(Deadline deadline) throws IOException;

  /** Whether bytes are waiting to be written. */
  boolean hasPending();

  /**
   * Writes a heartbeat record if that can be done without waiting (never in wire format 1.0).
   *
   * @return true if the heartbeat was buffered or written; false if there was no room
   */
  boolean heartbeat() throws IOException;

  /**
   * Ends the session cleanly: writes everything buffered and the end-of-stream record within
   * {@code deadline}, then closes the transport.
   *
   * @throws CloseTimeoutException if time ran out or the wait was woken (the transport is closed and
   *     the stream truncated; the exception counts what was written, discarded and torn)
   * @throws PeerClosedException if the reader is gone
   */
  void end(Deadline deadline) throws IOException;

  /**
   * Ends the session with an error: writes what is buffered and an aborted end carrying
   * {@code reason} (at most 1024 UTF-8 bytes; longer is cut at a character boundary) within
   * {@code deadline}, then closes the transport. In wire format 1.0 it writes what is buffered and
   * no end at all, and closes.
   * Never throws.
   *
   * @return true if the aborted end reached the transport
   */
  boolean abort(String reason, Deadline deadline);

  /**
   * Waits until the transport can take bytes, the deadline passes or {@link #wakeup()} is called.
   *
   * @return true if writable now
   */
  boolean awaitWritable(Deadline deadline) throws IOException;

  /**
   * Makes a wait in progress in this sink give up at once as if its deadline had passed (for
   * {@code close()} and {@code abort()} from another thread). Any thread; never blocks.
   */
  void wakeup();

  /** Live counters, readable from any thread without a lock. */
  SinkCounters counters();

  /** A description of the transport end, for messages and logs. */
  String description();

  /**
   * Closes the transport at once without writing anything more. Any thread; idempotent. A call in
   * progress in another thread (a wait for room, a write) ends with
   * {@link java.nio.channels.AsynchronousCloseException} — not as a wait whose time ran out: a
   * {@link dev.fifochan.Sender} takes a wait that gives up before its deadline without its own
   * {@link #wakeup()} for a close of the transport. Later calls throw
   * {@link java.nio.channels.ClosedChannelException}.
   */
  void close();
}
