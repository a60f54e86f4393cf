package dev.fifochan;

import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The receiving end of a typed channel: reads records from the transport and decodes frames with its
 * {@link Codec}.
 *
 * <h2>Receiving</h2>
 * <ul>
 *   <li>{@link #receive()} waits without limit for the next message and returns null at a clean end of
 *       stream; {@link #receive(Duration)} throws {@link ReceiveTimeoutException} when nothing arrives
 *       in time (nothing is consumed). {@link #receiveEnvelope()} adds headers, tag and position.</li>
 *   <li>{@link #poll(MessageHandler, int, Duration)} hands up to {@code limit} messages to a handler:
 *       it waits at most {@code timeout} for the first and then takes only what is ready; it returns
 *       the count, 0 if time ran out, -1 at the end of the stream.</li>
 *   <li>{@link #pollFrames(FrameHandler, int, Duration)} does the same with raw frames, zero-copy:
 *       the handler sees views of the receive buffer and nothing is allocated per message.</li>
 *   <li>Iteration and {@link #stream()} end at a clean end and throw {@link UncheckedIOException} at
 *       a failure.</li>
 * </ul>
 * A timed call counts its wait for the receiver's lock (another thread receiving) against its
 * timeout. Deadlines are enforced on waitable transports; over a blocking channel a read blocks in the
 * channel.
 *
 * <h2>Failures</h2>
 * A frame that cannot be decoded (unknown tag, malformed tag or headers, undecodable payload) is a
 * {@link DecodeException}, thrown or handed to {@link ChannelConfig#deadLetters()}; the receiver goes
 * on with the next frame. A {@link StreamException} ends the stream: a plain receiver throws it on
 * every later call (sticky), as it does a writer's {@link StreamAbortedException}; a receiver over a
 * following transport throws it once and goes on with the next writer session. With a
 * {@link ChannelConfig#livenessTimeout()}, a receive throws {@link LivenessTimeoutException} when a
 * writer session is open and no byte has arrived for that long (a transport that does not track bytes:
 * no record), with the position the reader had reached. Heartbeats are never delivered.
 *
 * <h2>When a message is done with (acknowledgements)</h2>
 * The receiver tells its transport when the application is done with each message
 * ({@link FrameSource#released}); a transport with acknowledgements (NATS JetStream) acknowledges
 * there, which gives at-least-once delivery: a message whose processing a crash interrupted comes
 * again. A message handed to a {@code poll} or {@code pollFrames} handler is done with when the
 * handler returns (or throws: the transport is told the failure). A message returned by
 * {@code receive}, {@code receiveEnvelope} or an iterator is done with when the application calls the
 * receiver again (any receive or poll, even one that then times out) or closes it. With several
 * threads receiving from one receiver, another thread's call releases the message one thread took; for
 * at-least-once processing on several threads, use {@code poll} with a handler.
 *
 * <h2>Interceptors</h2>
 * The {@link ChannelConfig#interceptors()} see every message delivered, with its payload length and
 * when its receive began, and may open a scope around a {@code poll} or {@code pollFrames} handler,
 * which is told whether the handler threw ({@link ChannelInterceptor}: metrics, tracing); without them
 * a delivery makes one null check for them.
 *
 * <h2>Threads</h2>
 * Thread-safe: concurrent callers each get distinct messages. {@link #close()} is immediate from any
 * thread and wakes a blocked call, which throws {@link AsynchronousCloseException}; later calls throw
 * {@link ClosedChannelException}. {@link #stats()}, {@link #isOpen()} and {@link #isEnded()} never take
 * the lock.
 *
 * @param <T> the type of the messages
 */
public final class Receiver<T> implements AutoCloseable, Iterable<T> {
  private static final Deadline NOW = Deadline.afterNanos(0);
  /** Timeouts from this many seconds on saturate in {@link Deadline#after} (about 146 years): no limit. */
  private static final long SATURATED_SECONDS = Long.MAX_VALUE / 2 / 1_000_000_000L;
  /** Session starts, ends, aborted and failed streams at DEBUG; never on the per-message path. */
  private static final System.Logger LOG = System.getLogger("dev.fifochan.Receiver");

  private final Codec<T> codec;
  private final FrameSource source;
  private final ChannelConfig config;
  private final String name;
  private final DeadLetterHandler deadLetters;
  private final ReentrantLock lock = new ReentrantLock();
  private final ReceiverStats stats = new ReceiverStats();
  private final long livenessNanos;
  private final FrameView frameView = new FrameView();
  /** The configured interceptors; null when there are none (the one check per delivered message). */
  private final ChannelInterceptor[] interceptors;
  /** The channel as interceptors see it: the wire version of the writer session started last (guarded by the lock). */
  private ChannelInfo info;
  private final ChannelInfo[] infoByVersion = new ChannelInfo[WireVersion.values().length];
  /** Whether the source refuses writer sessions the codec does not accept; else the receiver checks each start. */
  private final boolean sourceChecksCodecs;
  /**
   * The frame handed to the application and not yet released to the source ({@link FrameSource#released}):
   * one that a pull call returned, until the next call or close (guarded by the lock).
   */
  private InboundRecord handedOut;

  private volatile boolean closed;
  private volatile boolean ended;
  private volatile IOException sticky;
  /** When the last record arrived (liveness only; guarded by the lock). */
  private long lastArrival;
  /** Where the record after the last one that arrived starts (liveness only; guarded by the lock). */
  private long nextPosition;

  private Receiver(FrameSource source, Codec<T> codec, ChannelConfig config) {
    this.source = Objects.requireNonNull(source, "source");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.config = Objects.requireNonNull(config, "config");
    this.name = config.name() != null ? config.name() : source.description();
    this.deadLetters = config.deadLetters();
    this.livenessNanos = config.livenessTimeout().toNanos();
    this.lastArrival = System.nanoTime();
    this.interceptors = Interception.of(config);
    this.info = ChannelInfo.of(name, ChannelInfo.Direction.RECEIVE, codec.name(), source.description(), null);
    this.sourceChecksCodecs = source.enforceCodecs(codec::accepts, codec.name());
  }

  /**
   * A receiver of the stream on any readable channel (a pipe, a socket, a file, standard input); it
   * closes the channel when it closes. It accepts the writer codecs its codec
   * {@link Codec#accepts(String) accepts}. See {@link ByteStreams} for which channels honour deadlines.
   */
  public static <T> Receiver<T> over(ReadableByteChannel channel, Codec<T> codec, ChannelConfig config) throws IOException {
    return over(ByteStreams.source(channel, config, codec::accepts, codec.name()), codec, config);
  }

  /**
   * A receiver over a transport's {@link FrameSource} (what transports and request/response use). It
   * hands the source its codec's check ({@link FrameSource#enforceCodecs}), so the writer codecs its
   * codec {@link Codec#accepts(String) accepts} are the only ones read, whatever the transport, and
   * tells it when the application is done with each message ({@link FrameSource#released}: where a
   * transport with acknowledgements acknowledges). If the receiver cannot be made, the source is
   * closed (a transport's read end and its locks are not left behind).
   */
  public static <T> Receiver<T> over(FrameSource source, Codec<T> codec, ChannelConfig config) {
    try {
      return new Receiver<>(source, codec, config);
    } catch (RuntimeException | Error e) {
      source.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- receiving

  /**
   * The next message, waiting without limit.
   *
   * @return the message, or null at a clean end of stream
   * @throws DecodeException if the next frame cannot be decoded and no dead-letter handler is set (the
   *     receiver stays usable)
   * @throws StreamException if the stream failed, or the writer aborted it ({@link StreamAbortedException})
   * @throws AsynchronousCloseException if {@link #close()} was called meanwhile
   */
  public T receive() throws IOException {
    return receive(Deadline.none());
  }

  /**
   * The next message, waiting at most {@code timeout} in all.
   *
   * @return the message, or null at a clean end of stream
   * @throws ReceiveTimeoutException if none arrived in time (nothing was consumed)
   * @see #receive()
   */
  public T receive(Duration timeout) throws IOException {
    return receive(Deadline.after(timeout));
  }

  /** The next message with its headers, tag and position, waiting without limit; null at a clean end. */
  public Envelope<T> receiveEnvelope() throws IOException {
    return receiveEnvelope(Deadline.none());
  }

  /** The next message with its headers, tag and position, waiting at most {@code timeout}; null at a clean end. */
  public Envelope<T> receiveEnvelope(Duration timeout) throws IOException {
    return receiveEnvelope(Deadline.after(timeout));
  }

  /**
   * Hands up to {@code limit} messages to {@code handler} (with their headers, a view valid during the
   * call): waits at most {@code timeout} for the first, then takes only those ready without waiting.
   *
   * @return how many messages were handled; 0 if time ran out first; -1 at the end of the stream
   * @throws DecodeException for an undecodable frame without a dead-letter handler (earlier messages of
   *     this call were handled)
   * @throws StreamException if the stream failed or was aborted
   * @throws RuntimeException or {@link IOException} that the handler threw (the message counts as
   *     received); other checked exceptions wrapped in {@link UndeclaredThrowableException}
   */
  public int poll(MessageHandler<? super T> handler, int limit, Duration timeout) throws IOException {
    long start = interceptors != null ? System.nanoTime() : 0L;
    Objects.requireNonNull(handler, "handler");
    checkLimit(limit);
    Deadline deadline = pollDeadline(timeout);
    checkNotClosedOnEntry();
    if (!begin(deadline)) {
      stats.timeouts.add(1);
      return 0;
    }
    try {
      int count = 0;
      while (count < limit) {
        InboundRecord r = nextFrame(count == 0 ? deadline : NOW);
        if (r == null) {
          if (count == 0 && !ended) {
            stats.timeouts.add(1);
          }
          return count == 0 && ended ? -1 : count;
        }
        int length = r.payload().remaining();
        T value = decode(r);
        if (value == null) {
          continue; // dead-lettered
        }
        count++;
        delivered(r, length);
        handle(handler, value, r, length, start);
        if (interceptors != null) {
          start = System.nanoTime(); // the next message's receive begins now
        }
      }
      return count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands up to {@code limit} raw frames to {@code handler}, not decoded: the zero-copy path. The frame,
   * its headers and payload are views of the receive buffer, valid only during the call; nothing is
   * allocated per frame. Waits at most {@code timeout} for the first frame, then takes only those ready.
   *
   * @return how many frames were handled; 0 if time ran out first; -1 at the end of the stream
   * @see #poll(MessageHandler, int, Duration)
   */
  public int pollFrames(FrameHandler handler, int limit, Duration timeout) throws IOException {
    long start = interceptors != null ? System.nanoTime() : 0L;
    Objects.requireNonNull(handler, "handler");
    checkLimit(limit);
    Deadline deadline = pollDeadline(timeout);
    checkNotClosedOnEntry();
    if (!begin(deadline)) {
      stats.timeouts.add(1);
      return 0;
    }
    try {
      int count = 0;
      while (count < limit) {
        InboundRecord r = nextFrame(count == 0 ? deadline : NOW);
        if (r == null) {
          if (count == 0 && !ended) {
            stats.timeouts.add(1);
          }
          return count == 0 && ended ? -1 : count;
        }
        count++;
        int length = r.payload().remaining();
        delivered(r, length);
        FrameHandler.Frame frame = r instanceof FrameHandler.Frame ? (FrameHandler.Frame) r : frameView.of(r);
        Object scopes = null;
        if (interceptors != null) {
          Interception.afterReceive(interceptors, info, null, r.headers(), length, start, true);
          scopes = Interception.openScopes(interceptors, info, null, r.headers());
        }
        Throwable failure = null;
        try {
          handler.onFrame(frame);
        } catch (RuntimeException | IOException | Error e) {
          failure = e;
          throw e;
        } catch (Exception e) {
          failure = e;
          throw new UndeclaredThrowableException(e);
        } finally {
          finished(scopes, failure);
        }
        if (interceptors != null) {
          start = System.nanoTime(); // the next frame's receive begins now
        }
      }
      return count;
    } finally {
      lock.unlock();
    }
  }

  private T receive(Deadline deadline) throws IOException {
    long start = interceptors != null ? System.nanoTime() : 0L;
    checkNotClosedOnEntry();
    if (!begin(deadline)) {
      stats.timeouts.add(1);
      throw new ReceiveTimeoutException(deadline.timeout());
    }
    try {
      while (true) {
        InboundRecord r = nextFrame(deadline);
        if (r == null) {
          if (ended) {
            return null;
          }
          stats.timeouts.add(1);
          throw new ReceiveTimeoutException(deadline.timeout());
        }
        int length = r.payload().remaining();
        T value = decode(r);
        if (value != null) {
          delivered(r, length);
          if (interceptors != null) {
            Interception.afterReceive(interceptors, info, value, r.headers(), length, start, false);
          }
          return value;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private Envelope<T> receiveEnvelope(Deadline deadline) throws IOException {
    long start = interceptors != null ? System.nanoTime() : 0L;
    checkNotClosedOnEntry();
    if (!begin(deadline)) {
      stats.timeouts.add(1);
      throw new ReceiveTimeoutException(deadline.timeout());
    }
    try {
      while (true) {
        InboundRecord r = nextFrame(deadline);
        if (r == null) {
          if (ended) {
            return null;
          }
          stats.timeouts.add(1);
          throw new ReceiveTimeoutException(deadline.timeout());
        }
        int length = r.payload().remaining();
        T value = decode(r);
        if (value != null) {
          Envelope<T> e = new Envelope<>(value, r.headers().copy(), r.tag(), r.position());
          delivered(r, length);
          if (interceptors != null) {
            Interception.afterReceive(interceptors, info, value, r.headers(), length, start, false);
          }
          return e;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message frame (the lock held), or null if the deadline passed or the stream ended
   * ({@link #ended} set). Handles session records, heartbeats, malformed frames and liveness.
   */
  private InboundRecord nextFrame(Deadline deadline) throws IOException {
    while (true) {
      if (closed) {
        throw new AsynchronousCloseException();
      }
      IOException s = sticky;
      if (s != null) {
        throw s;
      }
      if (ended) {
        return null;
      }
      Deadline wait = deadline;
      boolean watching = livenessNanos > 0 && source.openSessions() > 0;
      if (watching) {
        wait = deadline.min(Deadline.atNanoTime(lastSignOfLife() + livenessNanos));
      }
      InboundRecord r;
      try {
        r = source.next(wait);
      } catch (MessageException e) {
        noteArrival(null);
        stats.frames.addOwned(1);
        stats.malformed.addOwned(1);
        long after = source.position(); // the malformed frame's bytes: from its first byte to the next record
        if (after >= 0 && e.position() >= 0 && after > e.position()) {
          stats.bytesRead.addOwned(after - e.position());
        }
        deadLetter((DecodeException) wrapMessageFailure(e));
        continue;
      } catch (StreamException e) {
        throw streamFailed(e);
      } catch (ClosedChannelException e) {
        if (closed) {
          throw new AsynchronousCloseException();
        }
        throw e;
      }
      if (r == null) {
        if (watching && !deadline.hasExpired() && source.openSessions() > 0
            && System.nanoTime() - lastSignOfLife() >= livenessNanos) {
          lastArrival = System.nanoTime(); // report again only after another silent period
          stats.livenessTimeouts.add(1);
          long at = source.position();
          throw new LivenessTimeoutException(config.livenessTimeout(), source.openSessions(), at >= 0 ? at : nextPosition);
        }
        if (deadline.hasExpired()) {
          return null;
        }
        continue;
      }
      noteArrival(r);
      stats.bytesRead.addOwned(r.wireLength());
      switch (r.kind()) {
        case FRAME:
          stats.frames.addOwned(1);
          return r;
        case SESSION_START:
          if (!sourceChecksCodecs && !codec.accepts(r.codecName())) {
            throw streamFailed(new IncompatibleStreamException(IncompatibleStreamException.Reason.CODEC, r.codecName(),
                codec.name(), r.position()));
          }
          stats.sessionsStarted.addOwned(1);
          if (interceptors != null && r.wireVersion() != null) {
            int v = r.wireVersion().ordinal();
            if (infoByVersion[v] == null) {
              infoByVersion[v] = info.withWireVersion(r.wireVersion());
            }
            info = infoByVersion[v];
          }
          LOG.log(System.Logger.Level.DEBUG, "{0}: writer session started at {1} (codec {2}, wire format {3})", name,
              r.position(), r.codecName(), r.wireVersion());
          break;
        case HEARTBEAT:
          stats.heartbeats.addOwned(1);
          break;
        case SESSION_END:
          if (r.abortReason() != null) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: writer session aborted at {1}: {2}", name, r.position(), r.abortReason());
            stats.sessionsAborted.add(1);
            StreamAbortedException aborted = new StreamAbortedException(r.abortReason(), true, r.position());
            if (!source.resumesAfterFailure()) {
              sticky = aborted;
            }
            throw aborted;
          }
          stats.sessionsEnded.addOwned(1);
          LOG.log(System.Logger.Level.DEBUG, "{0}: writer session ended at {1}", name, r.position());
          break;
        default: // END
          ended = true;
          return null;
      }
    }
  }

  /** Counts a stream failure, makes it sticky unless the source resumes; returns it to throw. */
  private StreamException streamFailed(StreamException e) {
    LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", name, e.getMessage());
    stats.streamFailures.add(1);
    if (e instanceof TruncatedStreamException) {
      stats.sessionsTruncated.add(1);
    }
    if (!source.resumesAfterFailure()) {
      sticky = e;
    }
    return e;
  }

  /**
   * One handler call of {@code poll} (the lock held): the interceptors told of the message and their
   * scopes around the handler; afterwards the scopes closed and the frame released, with what the
   * handler threw.
   */
  private void handle(MessageHandler<? super T> handler, T value, InboundRecord r, int length, long start) throws IOException {
    Headers headers = r.headers();
    Object scopes = null;
    if (interceptors != null) {
      Interception.afterReceive(interceptors, info, value, headers, length, start, true);
      scopes = Interception.openScopes(interceptors, info, value, headers);
    }
    Throwable failure = null;
    try {
      handler.onMessage(value, headers);
    } catch (RuntimeException | IOException | Error e) {
      failure = e;
      throw e;
    } catch (Exception e) {
      failure = e;
      throw new UndeclaredThrowableException(e);
    } finally {
      finished(scopes, failure);
    }
  }

  /** After a handler: its scopes closed, then the frame released to the source (the lock held). */
  private void finished(Object scopes, Throwable failure) {
    try {
      if (scopes != null) {
        Interception.close(scopes, info, failure);
      }
    } finally {
      release(failure);
    }
  }

  /** Tells the source the application is done with the frame handed out last, if any (the lock held). */
  private void release(Throwable failure) {
    InboundRecord r = handedOut;
    if (r != null) {
      handedOut = null;
      source.released(r, failure);
    }
  }

  /** When the writer last showed life: the later of the last record and the source's last byte. */
  private long lastSignOfLife() {
    long bytes = source.lastActivityNanos();
    return bytes == Long.MIN_VALUE || bytes - lastArrival < 0 ? lastArrival : bytes;
  }

  private void noteArrival(InboundRecord r) {
    if (livenessNanos > 0) {
      lastArrival = System.nanoTime();
      if (r != null) {
        nextPosition = r.position() + r.wireLength(); // for a transport that does not report its position
      }
    }
  }

  private static IOException wrapMessageFailure(MessageException e) {
    return e instanceof DecodeException ? e : new DecodeException("", new byte[0], e.position(), e);
  }

  /** Decodes a frame; null if it failed and went to the dead-letter handler. */
  private T decode(InboundRecord r) throws IOException {
    ByteBuffer payload = r.payload();
    int start = payload.position();
    int end = payload.limit();
    T value;
    try {
      value = codec.decode(r.tag(), payload);
      if (value == null) {
        throw new IllegalStateException("codec '" + codec.name() + "' returned null");
      }
    } catch (Exception e) {
      payload.limit(end).position(start);
      DecodeException failure;
      if (e instanceof UnknownTypeException) {
        stats.unknownTypes.addOwned(1);
        failure = new UnknownTypeException(r.tag(), payload, r.position());
      } else {
        stats.undecodable.addOwned(1);
        Throwable cause = e instanceof DecodeException && e.getCause() != null ? e.getCause() : e;
        failure = new DecodeException(r.tag(), payload, r.position(), cause);
      }
      deadLetter(failure);
      return null;
    }
    return value;
  }

  private void deadLetter(DecodeException failure) throws DecodeException {
    if (deadLetters == null) {
      throw failure;
    }
    stats.deadLettered.addOwned(1);
    deadLetters.onUndecodable(failure);
  }

  /** Counts a delivery and tells the source; the frame is handed out until {@link #release}. */
  private void delivered(InboundRecord r, int payloadLength) {
    stats.messages.addOwned(1);
    stats.payloadBytes.addOwned(payloadLength);
    source.delivered(r);
    handedOut = r;
  }

  /**
   * A poll's deadline without allocating for the two common cases: a timeout so long that it saturates
   * (about 146 years or more) waits like {@link Deadline#none()}, and a zero or negative one tries once.
   */
  private static Deadline pollDeadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.getSeconds() >= SATURATED_SECONDS) {
      return Deadline.none();
    }
    if (timeout.isZero() || timeout.isNegative()) {
      return NOW;
    }
    return Deadline.after(timeout);
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
  }

  private void checkNotClosedOnEntry() throws ClosedChannelException {
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  /**
   * Takes the lock by the deadline (false if it passed first), then releases the frame a previous pull
   * call handed out: the application came back, so it is done with it.
   */
  private boolean begin(Deadline deadline) throws IOException {
    if (!acquire(deadline)) {
      return false;
    }
    if (handedOut != null) {
      try {
        release(null);
      } catch (RuntimeException e) {
        lock.unlock();
        throw e;
      }
    }
    return true;
  }

  /** Takes the lock by the deadline; false if it passed first. */
  private boolean acquire(Deadline deadline) throws IOException {
    if (lock.tryLock()) {
      return true;
    }
    try {
      if (deadline.isNone()) {
        lock.lockInterruptibly();
        return true;
      }
      return lock.tryLock(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the receiver");
    }
  }

  // ---------------------------------------------------------------- the rest

  /** Whether the stream ended cleanly (a following receiver never ends). Lock-free. */
  public boolean isEnded() {
    return ended;
  }

  /** Whether more messages may come: not closed, not ended, not failed. Lock-free. */
  public boolean isOpen() {
    return !closed && !ended && sticky == null;
  }

  /** Live counters, readable without the receiver's lock. */
  public ReceiverStats stats() {
    return stats;
  }

  /** The codec this receiver decodes with. */
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

  /**
   * Iterates until a clean end of stream; failures surface as {@link UncheckedIOException} whose cause
   * is the fifochan exception.
   */
  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private T next;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        if (done) {
          return false;
        }
        try {
          next = receive();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (next == null) {
          done = true;
        }
        return next != null;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException("end of stream");
        }
        T t = next;
        next = null;
        return t;
      }
    };
  }

  /** The messages as a sequential stream that ends at a clean end of stream. */
  public Stream<T> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /**
   * Closes the transport at once, from any thread; a blocked call is woken and throws
   * {@link AsynchronousCloseException}. Idempotent. Unless a call is in progress, the message the last
   * {@code receive} returned is released to the source first ({@link FrameSource#released}: the
   * application is done with it).
   */
  @Override
  public void close() throws IOException {
    closed = true;
    try {
      if (lock.tryLock()) { // no call in progress: the message the last receive returned is done with
        try {
          release(null);
        } finally {
          lock.unlock();
        }
      }
    } finally {
      source.close();
    }
  }

  @Override
  public String toString() {
    return "Receiver[" + name + ", codec=" + codec.name() + (closed ? ", closed" : ended ? ", ended" : "") + "]";
  }

  /** A frame view over another transport's record (a byte stream's records are frames already). */
  private static final class FrameView implements FrameHandler.Frame {
    private InboundRecord r;

    FrameView of(InboundRecord record) {
      this.r = record;
      return this;
    }

    @Override
    public String tag() {
      return r.tag();
    }

    @Override
    public Headers headers() {
      return r.headers();
    }

    @Override
    public ByteBuffer payload() {
      return r.payload();
    }

    @Override
    public long position() {
      return r.position();
    }
  }
}
