package dev.fifochan;

import dev.fifochan.internal.Scheduler;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.SinkCounters;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending end of a typed channel: encodes each value with its {@link Codec} straight into a frame
 * and writes it to the transport, one writer session from creation to {@link #close()} or
 * {@link #abort(String)}.
 *
 * <h2>What a send did with the message</h2>
 * <ul>
 *   <li><b>Returned normally: accepted.</b> The message is whole in the sender's buffer (or already in
 *       the transport) and will be written in order unless the sender later fails. With
 *       {@link ChannelConfig#flushDelay()} zero, accepted means in the transport.
 *       {@link SenderStats#messagesWritten()} counts messages whose every byte is in the transport.
 *       {@code send} and {@code offer} return the accepted message's sequence number {@code n} (1, 2,
 *       3, ... in acceptance order): the message is in the transport if and only if
 *       {@code stats().messagesWritten() >= n}, a count that is final once the sender is closed,
 *       aborted or failed.
 *       A large frame already partly in the transport is accepted and finished later (by the next
 *       send, flush, close or the idle flush), never abandoned by a timeout or an interrupt.</li>
 *   <li><b>Threw {@link SendTimeoutException}, {@link InterruptedIOException} or
 *       {@link AsynchronousCloseException}: not sent.</b> No byte of the message was or will be
 *       written. After a timeout or an interrupt the sender stays usable.</li>
 *   <li><b>Torn</b>, only when the sender itself gives up with a frame partly written (a
 *       {@link #close(Duration)} or {@link #abort} that runs out of time, or a reader that vanishes):
 *       the exception ({@link CloseTimeoutException}, {@link PeerClosedException}, or {@link #done()}'s)
 *       says so, with how many messages were written and how many accepted ones were discarded; the
 *       reader sees a truncated stream.</li>
 * </ul>
 * A {@link MessageException} ({@link EncodeException}, {@link MessageTooLongException}) means not
 * sent too, and the sender stays usable.
 *
 * <h2>Timeouts</h2>
 * Each timed call makes one {@link Deadline} on entry and passes it through the sender's lock, the
 * buffer and the transport's wait, so it returns within its timeout plus scheduling noise. The
 * untimed calls wait without limit (until {@link #close()} from another thread). Deadlines are
 * enforced on waitable transports (FIFOs, and {@link java.nio.channels.SelectableChannel}s such as
 * pipes and sockets); over a blocking channel a write blocks in the channel itself.
 *
 * <h2>Ending</h2>
 * {@link #close()} is the clean end: it drains what was accepted and writes the end of stream, bounded
 * by {@link ChannelConfig#closeTimeout()}; try-with-resources keeps meaning "finished". To end with an
 * error the reader receives as {@link StreamAbortedException} carrying the reason, call
 * {@link #abort(String)}:
 * <pre>{@code
 * try (Sender<Order> tx = Fifo.openSender(path, codec)) {
 *   try {
 *     produce(tx);
 *   } catch (Exception e) {
 *     tx.abort(e.toString()); // close() after abort is a no-op
 *     throw e;
 *   }
 * }
 * }</pre>
 * {@code close()} or {@code abort()} from another thread wakes a blocked send, which throws
 * {@link AsynchronousCloseException} (not sent); a call made after the close began throws
 * {@link ClosedChannelException}. So does a close of the transport itself by another thread
 * ({@link FrameSink#close()}, a request/response connection closed under the sender): the waiting
 * send throws {@link AsynchronousCloseException} (not sent) and the sender is failed.
 *
 * <h2>Interceptors</h2>
 * The {@link ChannelConfig#interceptors()} see every send and offer ({@link ChannelInterceptor}:
 * metrics, tracing headers); without them a send makes one null check for them.
 *
 * <h2>Buffering</h2>
 * Messages are coalesced in a buffer and written when it fills, on {@link #flush()}, on close, and
 * once the sender has been idle for {@link ChannelConfig#flushDelay()} (by the shared
 * {@code fifochan-scheduler} thread, which never waits for this sender's lock and never blocks on the
 * transport). A 1.1 sender with a {@link ChannelConfig#heartbeatInterval()} writes a heartbeat after
 * that long without writing.
 *
 * <p>Thread-safe: any thread may call any method; each message is written whole, in the order the
 * calls took the sender's lock. {@link #stats()}, {@link #isOpen()} and {@link #done()} never take the
 * lock.
 *
 * @param <T> the type of the messages
 */
public final class Sender<T> implements AutoCloseable {
  /** {@link #offer(Object)}'s result when the transport has no room now or another thread has the sender busy. */
  public static final long BACK_PRESSURED = -1;
  /** {@link #offer(Object)}'s result when the transport has no peer to write to now. */
  public static final long NOT_CONNECTED = -2;
  /** {@link #offer(Object)}'s result when the sender is closed, closing or aborted. */
  public static final long CLOSED = -3;

  private static final int STATE_OPEN = 0;
  private static final int STATE_CLOSING = 1;
  private static final int STATE_CLOSED = 2;
  private static final int STATE_ABORTED = 3;
  private static final int STATE_FAILED = 4;
  private static final byte[] NO_TAG = new byte[0];
  /** A deadline that has passed: try once without waiting. */
  private static final Deadline NOW = Deadline.afterNanos(0);
  /** How often a closer re-wakes a sender busy in another thread while it waits for the lock. */
  private static final long CLOSE_WAKE_NANOS = 2_000_000;
  /** While sends keep coming, an idle flush is postponed by at most this many flush delays in all. */
  private static final int MAX_BUSY_DELAYS = 20;
  private static final long MAX_RETRY_NANOS = 10_000_000;
  /** How long a close that gave up on the lock lets its holder leave the closed transport. */
  private static final long SETTLE_NANOS = 200_000_000;
  /** Session starts, ends, aborts and truncations at DEBUG; never on the per-message path. */
  private static final System.Logger LOG = System.getLogger("dev.fifochan.Sender");

  private final Codec<T> codec;
  private final FrameSink sink;
  private final ChannelConfig config;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger state = new AtomicInteger(STATE_OPEN);
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final CompletionStage<Void> doneStage = done.minimalCompletionStage();
  private final SenderStats stats;
  private final long flushDelayNanos;
  private final ScheduledFuture<?> heartbeats;
  /** The configured interceptors; null when there are none (the one check on the send path). */
  private final ChannelInterceptor[] interceptors;
  private final ChannelInfo info;

  /** Set by close() and abort() from any thread: calls then fail; a blocked send is woken. */
  private volatile boolean closeRequested;
  /** The failure that ended the sender (guarded by the lock, published by state). */
  private volatile IOException failure;
  private volatile boolean failureReported;

  // Guarded by the lock.
  private String lastTag;
  private byte[] lastTagBytes = NO_TAG;
  private boolean flushArmed;
  private long sends;
  private long sendsWhenArmed;
  private long retryNanos;
  /** The idle flush, one task for the sender's life (no lambda or wrapper per run). */
  private final Runnable idleFlushTask = Scheduler.reusable(this::idleFlush);
  // While an idle flush is armed, touched only by its task (set before it is scheduled).
  /** Set by the idle flush task when a busy sender should write early; the sender clears it. */
  private volatile boolean flushDue;
  /** How long the idle flush has been postponed because the sender was busy. */
  private long postponedNanos;
  /** The delay of the idle flush's next look while the sender stays busy: doubles per busy look. */
  private long busyLookNanos;
  // Heartbeat task only.
  private long acceptedAtLastTick = -1;
  private int idleTicks;

  private Sender(FrameSink sink, Codec<T> codec, ChannelConfig config) throws IOException {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.config = Objects.requireNonNull(config, "config");
    this.name = config.name() != null ? config.name() : sink.description();
    this.stats = new SenderStats(sink.counters());
    this.flushDelayNanos = config.flushDelay().toNanos();
    this.interceptors = Interception.of(config);
    this.info = ChannelInfo.of(name, ChannelInfo.Direction.SEND, codec.name(), sink.description(), config.wireVersion());
    try {
      sink.start(codec.name(), config.wireVersion());
      stats.sessionsStarted.addOwned(1);
      lock.lock();
      try {
        sink.flush(NOW); // the preamble at once if the transport takes it; the idle flush otherwise
        armIdleFlush();
      } finally {
        lock.unlock();
      }
    } catch (IOException | RuntimeException e) {
      sink.close();
      done.completeExceptionally(e);
      throw e;
    }
    LOG.log(System.Logger.Level.DEBUG, "{0}: session started (codec {1}, wire format {2})", name, codec.name(), config.wireVersion());
    long beat = config.heartbeatInterval().toNanos();
    this.heartbeats = beat > 0 && config.wireVersion() == WireVersion.V1_1 ? Scheduler.every(this::heartbeatTick, beat / 4) : null;
  }

  /**
   * A sender over any writable channel (a pipe, a socket, a file, standard output); it writes its
   * preamble at once if the channel takes it, and closes the channel when it ends. See
   * {@link ByteStreams} for which channels honour deadlines.
   *
   * @throws IOException if the preamble cannot be written
   */
  public static <T> Sender<T> over(WritableByteChannel channel, Codec<T> codec, ChannelConfig config) throws IOException {
    return new Sender<>(ByteStreams.sink(channel, config, 0), codec, config);
  }

  /** A sender over a transport's {@link FrameSink} (what transports and request/response use). */
  public static <T> Sender<T> over(FrameSink sink, Codec<T> codec, ChannelConfig config) throws IOException {
    return new Sender<>(sink, codec, config);
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends {@code message}, waiting without limit while the transport is full. Returns normally once
   * the message is accepted (see the class description), with its sequence number.
   *
   * @return the message's sequence number: 1 for the first message this sender accepted, then 2, 3,
   *     ... in the order the messages were accepted (by {@code send} and {@code offer} together). The
   *     message is in the transport once {@link SenderStats#messagesWritten()} is at least this number.
   * @throws AsynchronousCloseException if {@link #close()} or {@link #abort} was called meanwhile, or
   *     the transport was closed under the waiting send: not sent
   * @throws ClosedChannelException if the sender was closed before
   * @throws InterruptedIOException if the thread was interrupted: not sent (the flag stays set)
   * @throws EncodeException if the codec failed: not sent; the sender stays usable
   * @throws MessageTooLongException if the message exceeds a limit: not sent
   * @throws PeerClosedException if the reader is gone: the sender is failed
   */
  public long send(T message) throws IOException {
    return send(message, Headers.empty(), Deadline.none());
  }

  /**
   * Sends {@code message}, waiting at most {@code timeout} in all (for this sender's lock and for room
   * in the transport).
   *
   * @return the message's sequence number (see {@link #send(Object)})
   * @throws SendTimeoutException if no room was found in time: not sent; the sender stays usable
   * @see #send(Object)
   */
  public long send(T message, Duration timeout) throws IOException {
    return send(message, Headers.empty(), Deadline.after(timeout));
  }

  /**
   * Sends {@code message} with {@code headers}, waiting without limit.
   *
   * @return the message's sequence number (see {@link #send(Object)})
   * @throws IllegalStateException if headers are given and the sender writes wire format 1.0
   * @throws MessageTooLongException with limit {@code HEADERS} if the headers exceed a size limit
   * @see #send(Object)
   */
  public long send(T message, Headers headers) throws IOException {
    return send(message, headers, Deadline.none());
  }

  /**
   * Sends {@code message} with {@code headers}, waiting at most {@code timeout}; see
   * {@link #send(Object, Duration)}.
   *
   * @return the message's sequence number (see {@link #send(Object)})
   */
  public long send(T message, Headers headers, Duration timeout) throws IOException {
    return send(message, headers, Deadline.after(timeout));
  }

  /**
   * Offers {@code message} without waiting (Aeron's {@code offer}): accepted as by a send that
   * returned, or not sent at all. The result is a number, as Aeron's is, so that nothing is allocated:
   * <ul>
   *   <li>1 or more: accepted; the message's sequence number (see {@link #send(Object)});</li>
   *   <li>{@link #BACK_PRESSURED}: the transport has no room now, or another thread has the sender
   *       busy;</li>
   *   <li>{@link #NOT_CONNECTED}: the transport has no peer now;</li>
   *   <li>{@link #CLOSED}: after close or abort.</li>
   * </ul>
   * {@link SendStatus#of(long)} names a result. Only a positive result sends anything. Over a blocking
   * channel a write may still block in the channel.
   *
   * @throws EncodeException if the codec failed (not sent)
   * @throws MessageTooLongException if the message exceeds a limit (not sent)
   * @throws PeerClosedException or another transport failure, if the sender has failed
   */
  public long offer(T message) throws IOException {
    return offer(message, Headers.empty());
  }

  /** Offers {@code message} with {@code headers}; see {@link #offer(Object)}. */
  public long offer(T message, Headers headers) throws IOException {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(headers, "headers");
    if (interceptors != null) {
      return intercepted(message, headers, null);
    }
    return doOffer(message, headers, null);
  }

  private long doOffer(T message, Headers headers, int[] encodedLength) throws IOException {
    if (failure != null) {
      failureReported = true;
      throw failure;
    }
    if (closeRequested || state.get() != STATE_OPEN) {
      return CLOSED;
    }
    if (!lock.tryLock()) {
      return BACK_PRESSURED;
    }
    try {
      if (failure != null) {
        failureReported = true;
        throw failure;
      }
      if (closeRequested || state.get() != STATE_OPEN) {
        return CLOSED;
      }
      return place(message, headers, NOW, encodedLength);
    } finally {
      lock.unlock();
    }
  }

  /** Writes everything accepted so far to the transport, waiting without limit. */
  public void flush() throws IOException {
    flush(Deadline.none());
  }

  /**
   * Writes everything accepted so far, waiting at most {@code timeout}.
   *
   * @throws SendTimeoutException ({@link FifochanTimeoutException.Operation#FLUSH FLUSH}) if time ran
   *     out: the rest stays accepted and is written later
   */
  public void flush(Duration timeout) throws IOException {
    flush(Deadline.after(timeout));
  }

  private void flush(Deadline deadline) throws IOException {
    checkNotClosedOnEntry();
    acquire(deadline, FifochanTimeoutException.Operation.FLUSH);
    try {
      checkOpenLocked();
      boolean flushed;
      long before = sink.counters().bytesWritten();
      try {
        flushed = sink.flush(deadline);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        throw failed(e, true);
      }
      if (sink.counters().bytesWritten() != before) {
        stats.flushes.addOwned(1);
      }
      if (!flushed) {
        if (closeRequested) {
          throw new AsynchronousCloseException();
        }
        if (!deadline.hasExpired()) {
          throw transportClosedMeanwhile();
        }
        stats.timeouts.add(1);
        armIdleFlush();
        throw new SendTimeoutException(deadline.timeout(), FifochanTimeoutException.Operation.FLUSH);
      }
    } finally {
      lock.unlock();
    }
  }

  private long send(T message, Headers headers, Deadline deadline) throws IOException {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(headers, "headers");
    if (interceptors != null) {
      return intercepted(message, headers, deadline);
    }
    return doSend(message, headers, deadline, null);
  }

  /** A send ({@code deadline} given) or an offer (null) between the interceptors' before and after calls. */
  private long intercepted(T message, Headers headers, Deadline deadline) throws IOException {
    Headers all = Interception.beforeSend(interceptors, info, message, headers);
    long result = 0;
    Throwable failure = null;
    int[] encodedLength = {-1}; // the payload's length once encoded (only with interceptors)
    try {
      result = deadline == null ? doOffer(message, all, encodedLength) : doSend(message, all, deadline, encodedLength);
      return result;
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      Interception.afterSend(interceptors, info, message, encodedLength[0], result, failure);
    }
  }

  private long doSend(T message, Headers headers, Deadline deadline, int[] encodedLength) throws IOException {
    checkNotClosedOnEntry();
    acquire(deadline, FifochanTimeoutException.Operation.SEND);
    try {
      checkOpenLocked();
      long result = place(message, headers, deadline, encodedLength);
      if (result > 0) {
        return result;
      }
      if (closeRequested) {
        throw new AsynchronousCloseException();
      }
      if (result == BACK_PRESSURED && !deadline.hasExpired()) {
        throw transportClosedMeanwhile();
      }
      stats.timeouts.add(1);
      throw new SendTimeoutException(deadline.timeout());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Encodes and commits one frame (the lock held): the sequence number if accepted, otherwise the
   * negative status. {@code encodedLength} (null without interceptors) is told the payload's length
   * once the codec has encoded it.
   */
  private long place(T message, Headers headers, Deadline deadline, int[] encodedLength) throws IOException {
    byte[] tag = tagBytes(codec.tagOf(message));
    PayloadSink payload;
    try {
      payload = sink.beginFrame(tag, headers);
    } catch (MessageTooLongException e) {
      stats.tooLong.addOwned(1);
      throw e;
    } catch (IOException e) {
      throw failed(e, true);
    }
    try {
      codec.encode(message, payload);
    } catch (Exception e) {
      sink.abortFrame();
      MessageTooLongException tooLong = tooLongIn(e);
      if (tooLong != null) {
        stats.tooLong.addOwned(1);
        throw tooLong;
      }
      stats.encodeFailures.addOwned(1);
      if (e instanceof EncodeException) {
        throw (EncodeException) e;
      }
      throw new EncodeException(codec.name(), message.getClass().getName(), e);
    }
    int length = payload.written();
    if (encodedLength != null) {
      encodedLength[0] = length;
    }
    SendStatus status;
    try {
      status = sink.commitFrame(deadline);
    } catch (MessageTooLongException e) {
      stats.tooLong.addOwned(1);
      throw e;
    } catch (InterruptedIOException e) {
      e.bytesTransferred = 0;
      throw e; // not sent: the sink withdrew the frame
    } catch (IOException e) {
      throw failed(e, true);
    }
    switch (status) {
      case ACCEPTED:
        long sequence = ++sends;
        stats.accepted.addOwned(1);
        stats.payloadBytes.addOwned(length);
        if (flushDue) {
          earlyWrite();
        }
        armIdleFlush();
        return sequence;
      case NOT_CONNECTED:
        return NOT_CONNECTED;
      case CLOSED:
        return CLOSED;
      default:
        return BACK_PRESSURED;
    }
  }

  private byte[] tagBytes(String tag) {
    if (tag.isEmpty()) {
      return NO_TAG;
    }
    if (tag == lastTag || tag.equals(lastTag)) {
      return lastTagBytes; // codecs return the same few tags: encode each once
    }
    byte[] b = tag.getBytes(StandardCharsets.UTF_8);
    lastTag = tag;
    lastTagBytes = b;
    return b;
  }

  private static MessageTooLongException tooLongIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MessageTooLongException) {
        return (MessageTooLongException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- ending

  /**
   * The clean end: drains what was accepted and writes the end of stream within
   * {@link ChannelConfig#closeTimeout()}, then closes the transport; {@link #done()} completes.
   * Idempotent; a no-op after {@link #abort}. If the sender failed earlier and nobody was told yet, the
   * failure is thrown here.
   *
   * @throws CloseTimeoutException if the reader did not drain in time (the stream is truncated)
   * @throws PeerClosedException if the reader is gone
   */
  @Override
  public void close() throws IOException {
    close(config.closeTimeout());
  }

  /**
   * Like {@link #close()}, bounded by {@code timeout} instead of the configured close timeout.
   *
   * @throws CloseTimeoutException if the reader did not drain in time, or the closing thread was
   *     interrupted: the transport is closed without an end of stream (truncated), and the exception
   *     counts what was written, discarded and torn
   */
  public void close(Duration timeout) throws IOException {
    Deadline deadline = Deadline.after(timeout);
    if (!state.compareAndSet(STATE_OPEN, STATE_CLOSING)) {
      throwUnreported();
      return;
    }
    closeRequested = true;
    cancelHeartbeats();
    InterruptedException interrupted = null;
    boolean locked;
    try {
      locked = acquireForEnd(deadline);
    } catch (InterruptedException e) {
      interrupted = e;
      locked = false;
    }
    if (!locked) {
      // A thread holds the sender and does not let go (a blocking write, a slow codec): give up.
      sink.close();
      settleAfterClose();
      SinkCounters c = sink.counters();
      CloseTimeoutException e = new CloseTimeoutException(deadline.timeout(), c.messagesWritten(), c.messagesPending(),
          c.frameTorn(), interrupted == null ? null : new InterruptedIOException("interrupted while closing"));
      if (interrupted != null) {
        Thread.currentThread().interrupt();
      }
      stats.sessionsTruncated.add(1);
      finish(STATE_CLOSED, e);
      throw e;
    }
    try {
      if (failure != null) {
        throwUnreported();
        return;
      }
      try {
        sink.end(deadline);
      } catch (CloseTimeoutException e) {
        stats.sessionsTruncated.add(1);
        finish(STATE_CLOSED, e);
        throw e;
      } catch (IOException e) {
        throw failed(e, true);
      }
      stats.sessionsEnded.add(1);
      finish(STATE_CLOSED, null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the stream with an error: drains what was accepted and writes an aborted end carrying
   * {@code reason} (at most 1024 UTF-8 bytes; longer is cut), bounded by
   * {@link ChannelConfig#closeTimeout()}, then closes the transport. The reader receives
   * {@link StreamAbortedException} with the reason after every message before it. {@link #done()}
   * completes exceptionally with a {@link StreamAbortedException} whose
   * {@link StreamAbortedException#sessionEnded()} says whether the aborted end reached the transport.
   * In wire format 1.0 it drains what was accepted and closes without any end (the reader sees a
   * truncated stream; the reason is lost). Wakes a send blocked in another thread. Called with the
   * thread's interrupt flag set, or interrupted while it waits, it waits no longer: it writes only
   * what the transport takes at once (the flag stays set). A no-op if the sender is already closed,
   * closing, aborted or failed. Never throws.
   */
  public void abort(String reason) {
    String why = reason == null ? "aborted" : reason;
    if (!state.compareAndSet(STATE_OPEN, STATE_CLOSING)) {
      return;
    }
    closeRequested = true;
    cancelHeartbeats();
    // Called with an interrupt pending (the idiom's catch of an InterruptedIOException): wait for
    // nothing, but still write what the transport takes at once (with the flag cleared meanwhile: a
    // JDK channel closes itself when an interrupted thread writes to it).
    boolean interrupted = Thread.interrupted();
    Deadline deadline = interrupted ? NOW : Deadline.after(config.closeTimeout());
    boolean locked;
    try {
      locked = acquireForEnd(deadline);
    } catch (InterruptedException e) {
      interrupted = true;
      deadline = NOW;
      locked = lock.tryLock(); // the flag is clear again: write what goes at once if the sender is free
    }
    boolean ended = false;
    try {
      if (locked && failure == null) {
        ended = sink.abort(why, deadline);
      } else {
        sink.close();
      }
    } catch (RuntimeException e) {
      sink.close();
    } finally {
      if (locked) {
        lock.unlock();
      } else {
        settleAfterClose();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (ended) {
      stats.sessionsAborted.add(1);
    } else {
      stats.sessionsTruncated.add(1);
    }
    if (failure == null) {
      finish(STATE_ABORTED, new StreamAbortedException(why, ended, -1));
    }
  }

  /**
   * Completes normally once {@link #close()} has put every byte, including the end of stream, into the
   * transport; exceptionally with the failure otherwise ({@link StreamAbortedException} after an abort,
   * {@link CloseTimeoutException}, {@link PeerClosedException}, ...). A minimal stage: callers cannot
   * complete it (its {@code toCompletableFuture()} is a copy).
   */
  public CompletionStage<Void> done() {
    return doneStage;
  }

  /** Whether the sender accepts messages: not closed, closing, aborted or failed. Lock-free. */
  public boolean isOpen() {
    return state.get() == STATE_OPEN && !closeRequested;
  }

  /** Live counters, readable without the sender's lock. */
  public SenderStats stats() {
    return stats;
  }

  /** The codec this sender encodes with. */
  public Codec<T> codec() {
    return codec;
  }

  /** This end's name: {@link ChannelConfig#name()}, or the transport's description. */
  public String name() {
    return name;
  }

  /** The configuration. */
  public ChannelConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "Sender[" + name + ", codec=" + codec.name() + ", " + stateName() + "]";
  }

  // ---------------------------------------------------------------- internals

  private String stateName() {
    switch (state.get()) {
      case STATE_OPEN:
        return closeRequested ? "closing" : "open";
      case STATE_CLOSING:
        return "closing";
      case STATE_CLOSED:
        return "closed";
      case STATE_ABORTED:
        return "aborted";
      default:
        return "failed";
    }
  }

  private void checkNotClosedOnEntry() throws IOException {
    if (failure != null) {
      failureReported = true;
      throw failure;
    }
    if (closeRequested || state.get() != STATE_OPEN) {
      throw new ClosedChannelException();
    }
  }

  /** After taking the lock: a close that began meanwhile woke this call. */
  private void checkOpenLocked() throws IOException {
    if (failure != null) {
      failureReported = true;
      throw failure;
    }
    if (closeRequested || state.get() != STATE_OPEN) {
      throw new AsynchronousCloseException();
    }
  }

  private void acquire(Deadline deadline, FifochanTimeoutException.Operation op) throws IOException {
    if (lock.tryLock()) {
      return;
    }
    try {
      if (deadline.isNone()) {
        lock.lockInterruptibly();
        return;
      }
      if (lock.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the sender");
    }
    if (closeRequested) {
      throw new AsynchronousCloseException();
    }
    stats.timeouts.add(1);
    throw new SendTimeoutException(deadline.timeout(), op);
  }

  /**
   * After giving up on the lock and closing the transport: lets the thread that held the lock leave
   * (a write it had in flight ends and is counted; every later write fails), waiting at most
   * {@code SETTLE_NANOS}, so that {@link SenderStats#messagesWritten()} is final once close or abort
   * returns. A thread stuck elsewhere (a codec) cannot write any more and is not waited for longer.
   */
  private void settleAfterClose() {
    boolean interrupted = Thread.interrupted();
    try {
      if (lock.tryLock(SETTLE_NANOS, TimeUnit.NANOSECONDS)) {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes the lock for close or abort, waking a sender thread that waits in the transport until it lets go. */
  private boolean acquireForEnd(Deadline deadline) throws InterruptedException {
    while (true) {
      sink.wakeup();
      long left = deadline.remainingNanos();
      if (lock.tryLock(Math.min(left, CLOSE_WAKE_NANOS), TimeUnit.NANOSECONDS)) {
        return true;
      }
      if (deadline.hasExpired()) {
        return false;
      }
    }
  }

  /**
   * The transport gave up a wait before its deadline although this sender did not wake it (only
   * close and abort do): its {@link FrameSink#close()} was called by another thread (a connection
   * closed under the sender). Fails the sender; returns what to throw: not sent.
   */
  private IOException transportClosedMeanwhile() {
    return failed(new AsynchronousCloseException(), true);
  }

  /** The sender failed with {@code e} (from the transport); returns it to be thrown. */
  private IOException failed(IOException e, boolean reported) {
    if (failure == null) {
      failure = e;
      failureReported = reported;
      sink.close();
      cancelHeartbeats();
      stats.sessionsTruncated.add(1);
      finish(STATE_FAILED, e);
    }
    return e;
  }

  private void finish(int finalState, IOException e) {
    state.set(finalState);
    closeRequested = true;
    if (e == null) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: session ended cleanly, {1} messages written", name, stats.messagesWritten());
      done.complete(null);
    } else {
      LOG.log(System.Logger.Level.DEBUG, "{0}: session ended: {1}", name, e.getMessage());
      done.completeExceptionally(e);
    }
  }

  private void throwUnreported() throws IOException {
    IOException f = failure;
    if (f != null && !failureReported) {
      failureReported = true;
      throw f;
    }
  }

  private void cancelHeartbeats() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }

  /**
   * A busy sender's early write (the lock held, the message accepted): what the transport takes at
   * once, so the reader is not kept waiting for a full buffer. A failure is the sender's, reported by
   * the next call.
   */
  private void earlyWrite() {
    flushDue = false;
    try {
      long before = sink.counters().bytesWritten();
      sink.flush(NOW);
      if (sink.counters().bytesWritten() != before) {
        stats.flushes.addOwned(1);
      }
    } catch (IOException e) {
      failed(e, false);
    }
  }

  /** Schedules an idle flush if bytes wait and none is scheduled (the lock held). */
  private void armIdleFlush() {
    if (!flushArmed && sink.hasPending()) {
      flushArmed = true;
      sendsWhenArmed = sends;
      postponedNanos = 0;
      busyLookNanos = idleDelay();
      retryNanos = 0;
      Scheduler.schedule(idleFlushTask, idleDelay());
    }
  }

  /**
   * The sender is busy (it sent since the last look, or holds its lock): look again later, twice as
   * late as last time up to {@code MAX_BUSY_DELAYS} flush delays, so that a busy sender's scheduler
   * wakes about once per that bound instead of every flush delay (each wake is a context switch on the
   * sender's CPU). Once postponed by the bound in all, the sender itself writes what is buffered at its
   * next send ({@link #flushDue}: the reader gets the bytes early, without the scheduler waiting for
   * the lock). A sender that goes idle is flushed at the next look: after a long burst up to the bound
   * late. Idle flush task only.
   */
  private void busyLook() {
    if (postponedLongEnough()) {
      flushDue = true;
      postponedNanos = 0;
    }
    postponeWhileBusy();
  }

  private void postponeWhileBusy() {
    long delay = idleDelay();
    long bound = delay > Long.MAX_VALUE / MAX_BUSY_DELAYS ? Long.MAX_VALUE : delay * MAX_BUSY_DELAYS;
    busyLookNanos = busyLookNanos > bound / 2 ? bound : busyLookNanos * 2;
    long next = Math.max(delay, Math.min(busyLookNanos, bound - postponedNanos));
    postponedNanos = postponedNanos > Long.MAX_VALUE - next ? Long.MAX_VALUE : postponedNanos + next;
    Scheduler.schedule(idleFlushTask, next);
  }

  private boolean postponedLongEnough() {
    long delay = idleDelay();
    return postponedNanos >= (delay > Long.MAX_VALUE / MAX_BUSY_DELAYS ? Long.MAX_VALUE : delay * MAX_BUSY_DELAYS);
  }

  private long idleDelay() {
    return flushDelayNanos > 0 ? flushDelayNanos : 100_000;
  }

  /** The scheduler's idle flush: never waits for the lock, never blocks on the transport. */
  private void idleFlush() {
    if (state.get() != STATE_OPEN || closeRequested) {
      return; // close or abort drains
    }
    if (!lock.tryLock()) {
      busyLook(); // busy: not idle
      return;
    }
    try {
      if (state.get() != STATE_OPEN || closeRequested || failure != null) {
        flushArmed = false;
        return;
      }
      if (sends != sendsWhenArmed) {
        sendsWhenArmed = sends; // still sending: let it fill the buffer
        busyLook();
        return;
      }
      postponedNanos = 0;
      busyLookNanos = idleDelay();
      long before = sink.counters().bytesWritten();
      boolean flushed = sink.flush(NOW);
      if (sink.counters().bytesWritten() != before) {
        stats.flushes.addOwned(1);
      }
      if (flushed || !sink.hasPending()) {
        flushArmed = false;
        retryNanos = 0;
        return;
      }
      // The transport is full: come back later, backing off.
      retryNanos = retryNanos == 0 ? idleDelay() : Math.min(retryNanos * 2, MAX_RETRY_NANOS);
      Scheduler.schedule(idleFlushTask, retryNanos);
    } catch (IOException e) {
      flushArmed = false;
      failed(e, false);
    } finally {
      lock.unlock();
    }
  }

  /** The scheduler's heartbeat tick, every quarter interval: a heartbeat after four idle ticks. */
  private void heartbeatTick() {
    if (state.get() != STATE_OPEN || closeRequested) {
      cancelHeartbeats();
      return;
    }
    long accepted = stats.accepted.get();
    if (accepted != acceptedAtLastTick) {
      acceptedAtLastTick = accepted;
      idleTicks = 0;
      return;
    }
    if (++idleTicks < 4) {
      return;
    }
    if (!lock.tryLock()) {
      return; // busy: not idle
    }
    try {
      if (state.get() == STATE_OPEN && !closeRequested && failure == null && sink.heartbeat()) {
        stats.heartbeats.addOwned(1);
        idleTicks = 0;
      }
    } catch (IOException e) {
      failed(e, false);
    } finally {
      lock.unlock();
    }
  }
}
