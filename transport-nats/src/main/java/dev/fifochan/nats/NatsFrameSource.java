package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.StreamContext;
import io.nats.client.Subscription;
import io.nats.client.ConsumeOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The records of every writer session published on a NATS subject ({@code docs/nats.md} §2): a core
 * subscription or a JetStream pull consumer. Sessions are told apart by {@code fc-session} (fan-in); gaps
 * in {@code fc-seq} are losses in core NATS ({@link MessagesLostException}) and late redeliveries in
 * JetStream; duplicates (same session and number) are dropped and counted. A session silent for the
 * liveness timeout is reported truncated ({@link TruncatedStreamException}, {@code NO_END_OF_STREAM}).
 */
final class NatsFrameSource implements FrameSource {
  private static final System.Logger LOG = System.getLogger("dev.fifochan.nats");
  private static final Duration NOW = Duration.ofNanos(1);
  private static final long SLICE_NANOS = 100_000_000L; // a wait without deadline re-checks state this often
  private static final int REMEMBERED_ENDED = 4096;
  /** How often a session end waiting for missing frames asks the server for the consumer's acknowledgement floor. */
  private static final long ACK_FLOOR_CHECK_NANOS = 250_000_000L;
  /** Added to twice the ack wait before an end stops waiting for frames that were never redelivered. */
  private static final long END_WAIT_GRACE_NANOS = 5_000_000_000L;
  /** A call with less time left than this does not ask the server (a later call does). */
  private static final long MIN_ACK_FLOOR_WAIT_NANOS = 20_000_000L;
  /**
   * JetStream: after this long without a message the receiver asks the server whether its consumer still
   * exists (a deleted consumer does not always answer a pull with {@code 409 Consumer Deleted}: jnats then
   * re-pulls every heartbeat alarm, 3 s, and hears nothing); asked again at most this often.
   */
  private static final long CONSUMER_CHECK_IDLE_NANOS = 5_000_000_000L;
  /** After a pull was refused ({@code 409 Consumer Deleted}, {@code 400}...), the consumer is checked this much later (a re-creation in flight). */
  private static final long CONSUMER_CHECK_GRACE_NANOS = 1_000_000_000L;
  /** JetStream API error: consumer not found. */
  private static final int JS_CONSUMER_NOT_FOUND = 10014;
  /** JetStream API error: stream not found. */
  private static final int JS_STREAM_NOT_FOUND = 10059;

  /** When a JetStream message is acknowledged. */
  enum Ack {
    /**
     * When the application is done with the frame ({@link #released}: acknowledged, or, if its handler
     * threw, {@code nak}ed for redelivery); control records, duplicates and frames not delivered at once
     * (with the next call).
     */
    ON_DELIVERED,
    /** Only when {@link #ackTaken()} is called (the bridge: after the records are in the pipe). */
    MANUAL
  }

  private final NatsEndpoint endpoint;
  private final Connection nc;
  private final String subject;
  private final NatsOptions options;
  private final boolean jetStream;
  private Predicate<String> acceptsCodec;
  private String readerCodec;
  private final Ack ackMode;
  private final long livenessNanos;
  private final boolean follow;

  private final Subscription sub;
  private final IterableConsumer consumer;
  private final String consumerName;
  private final String stream;
  /** Sessions whose end came before some of their frames (JetStream): the end is held back until they come. */
  private int pendingEnds;
  private long nextAckFloorCheck;
  private final boolean durable;
  /** When the consumer's existence is asked next ({@link System#nanoTime()}). */
  private long nextConsumerCheck;
  /** A pull ended with an error status since the last message (the consumer is checked after a grace). */
  private String pullError;
  /** The consumer is gone or refuses the pulls: every call throws this. */
  private dev.fifochan.FifochanException gone;
  /** Messages asked for by each pull (JetStream). */
  private final int pullBatch;
  /** How long each pull waits at the server (JetStream), ms. */
  private static final long PULL_EXPIRES_MILLIS = 2000;
  private volatile long consumerChecks;

  private final Map<String, Session> sessions = new HashMap<>();
  private final LinkedHashMap<String, Session> ended = new LinkedHashMap<>(64, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
      return size() > REMEMBERED_ENDED;
    }
  };
  private final java.util.Set<String> refused = new java.util.HashSet<>();
  private final Record record = new Record();
  private final List<Message> unacked = new ArrayList<>();

  private volatile boolean closed;
  private volatile int openSessions;
  private volatile long duplicates;
  private volatile long lost;
  private volatile long outOfOrder;
  private volatile long endsHeld;
  private volatile long endsGivenUp;
  private long position;
  private long lastActivity = Long.MIN_VALUE;
  private long droppedReported;
  private boolean sawSession;
  private boolean endReturned;
  /** A message held back while an error about it is thrown first (a gap before it). */
  private Message held;
  /** The message of the record returned last (a delivered frame: acknowledged when released; else on the next call). */
  private Message current;
  private boolean currentIsFrame;
  /** The session and number of the frame returned last (forgotten if its handler fails, so its redelivery is delivered). */
  private Session currentSession;
  /** The session of the last frame looked up (frames mostly come in runs of one session); null once it ends. */
  private Session lastSession;
  /**
   * No session without a held end expires before this ({@link System#nanoTime()}): a lower bound, renewed
   * when the time reaches it (so the sessions are not looked at per message); Long.MAX_VALUE: none known.
   */
  private long expiryFloor = Long.MAX_VALUE;
  private long currentSeq = -1;

  /**
   * One writer session's state: the frame numbers seen, as a floor (every number up to it seen, or in core
   * NATS reported lost) and ranges of numbers seen above it. A JetStream session joined after its start
   * assumes nothing about the numbers below the first one it sees: a consumer restarted with the same
   * durable gets the frames it had taken but not acknowledged again only after {@code ackWait}, after
   * newer ones, and they are not duplicates.
   */
  static final class Session {
    final String id;
    final String codec;
    final WireVersion version;
    /** Every frame number up to this one has been seen (core NATS: or reported lost). */
    long floor;
    /** Ranges of numbers seen above {@code floor + 1}: first number to last number. */
    TreeMap<Long, Long> ranges;
    /** The highest frame number seen. */
    long highest;
    long lastSeen;
    /**
     * JetStream: an end (clean or aborted) that came before some of the frames it counts; held back, not
     * acknowledged, until they come (redelivered) or are known to be acknowledged elsewhere. Null: none.
     */
    Message endMessage;
    /** The held end's {@code fc-seq}: the session's last frame number. */
    long endSeq;
    /** The held end's abort reason (null: a clean end). */
    String endReason;
    /** The held end's stream sequence. */
    long endStreamSeq;
    /** When the held end stops waiting ({@link System#nanoTime()}). */
    long endWaitUntil;

    Session(String id, String codec, WireVersion version, long floor) {
      this.id = id;
      this.codec = codec;
      this.version = version;
      this.floor = floor;
      this.highest = floor;
    }

    boolean seen(long seq) {
      if (seq <= floor) {
        return true;
      }
      if (ranges == null) {
        return false;
      }
      Map.Entry<Long, Long> e = ranges.floorEntry(seq);
      return e != null && e.getValue() >= seq;
    }

    /** Whether a frame with this number comes after a later one (a redelivery, or below where the session was joined). */
    boolean late(long seq) {
      return seq < highest;
    }

    void mark(long seq) {
      if (seq > highest) {
        highest = seq;
      }
      if (seq <= floor) {
        return;
      }
      if (seq == floor + 1) {
        floor = seq;
        absorb();
        return;
      }
      if (ranges == null) {
        ranges = new TreeMap<>();
      }
      long first = seq;
      long last = seq;
      Map.Entry<Long, Long> below = ranges.floorEntry(seq);
      if (below != null && below.getValue() >= seq - 1) {
        if (below.getValue() >= seq) {
          return;
        }
        first = below.getKey();
      }
      Long after = ranges.remove(seq + 1);
      if (after != null) {
        last = after;
      }
      ranges.put(first, last);
    }

    /** Sets the floor (core NATS: numbers up to it reported lost) and takes in the ranges it reaches. */
    void raiseFloor(long n) {
      if (n > floor) {
        floor = n;
        highest = Math.max(highest, n);
        absorb();
      }
    }

    private void absorb() {
      while (ranges != null && !ranges.isEmpty()) {
        Map.Entry<Long, Long> f = ranges.firstEntry();
        if (f.getKey() > floor + 1) {
          return;
        }
        floor = Math.max(floor, f.getValue());
        ranges.pollFirstEntry();
      }
    }

    /** Takes {@code seq} out of the numbers seen (its delivery failed: it comes again and is not a duplicate). */
    void forget(long seq) {
      if (!seen(seq)) {
        return;
      }
      if (seq <= floor) {
        long old = floor;
        floor = seq - 1;
        if (seq < old) {
          if (ranges == null) {
            ranges = new TreeMap<>();
          }
          ranges.put(seq + 1, old); // no range starts at old + 1: absorbed into the floor
        }
        return;
      }
      Map.Entry<Long, Long> e = ranges.floorEntry(seq);
      ranges.remove(e.getKey());
      if (e.getKey() < seq) {
        ranges.put(e.getKey(), seq - 1);
      }
      if (seq < e.getValue()) {
        ranges.put(seq + 1, e.getValue());
      }
    }

    /** Whether every frame number up to {@code seq} has been seen. */
    boolean complete(long seq) {
      return seq <= floor;
    }

    /** How many frame numbers up to {@code seq} have not been seen. */
    long missingUpTo(long seq) {
      long n = Math.max(0, seq - floor);
      if (ranges != null) {
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
          if (e.getKey() <= seq) {
            n -= Math.min(e.getValue(), seq) - e.getKey() + 1;
          }
        }
      }
      return n;
    }

    /** How many separate ranges of seen numbers are kept above the floor (bounded memory check). */
    int rangeCount() {
      return ranges == null ? 0 : ranges.size();
    }
  }

  NatsFrameSource(NatsEndpoint endpoint, String subject, ChannelConfig config, NatsOptions options,
      Predicate<String> acceptsCodec, String readerCodec, Ack ackMode) throws IOException {
    this.endpoint = endpoint;
    this.nc = endpoint.connection();
    this.subject = Nats.checkSubject(subject, true);
    this.options = options;
    this.jetStream = options.mode() == NatsOptions.Mode.JETSTREAM;
    this.acceptsCodec = acceptsCodec;
    this.readerCodec = readerCodec;
    this.ackMode = ackMode;
    Duration live = options.liveness() != null ? options.liveness() : config.livenessTimeout();
    this.livenessNanos = live.toNanos();
    this.follow = options.follow();
    this.durable = options.durable() != null;
    this.nextConsumerCheck = System.nanoTime() + CONSUMER_CHECK_IDLE_NANOS;
    if (jetStream) {
      String stream = NatsStreams.ensureStream(nc, subject, options);
      this.stream = stream;
      try {
        StreamContext sc = nc.getStreamContext(stream);
        ConsumerContext cc = sc.createOrUpdateConsumer(NatsStreams.consumer(subject, options));
        this.consumerName = cc.getConsumerName();
        int batch = Math.max(16, Math.min(options.maxInFlight(), 1024));
        this.pullBatch = batch;
        this.consumer = cc.iterate(ConsumeOptions.builder().batchSize(batch).expiresIn(PULL_EXPIRES_MILLIS).build());
      } catch (JetStreamApiException e) {
        throw new IOException("cannot make a JetStream consumer on " + stream + " for " + subject + ": " + e.getMessage(), e);
      }
      this.sub = null;
    } else {
      this.stream = null;
      this.sub = nc.subscribe(subject);
      this.sub.setPendingLimits(options.pendingMessages(), options.pendingBytes());
      confirmSubscription();
      this.consumer = null;
      this.consumerName = null;
      this.pullBatch = 0;
    }
  }

  /**
   * Core mode: waits (at most the connection's connect timeout) until the server has the subscription,
   * so that what another connection publishes after the receiver is open reaches it. While the
   * connection is down there is nothing to wait for: the client sends the subscription on reconnect.
   */
  private void confirmSubscription() throws IOException {
    if (nc.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    Duration limit = nc.getOptions().getConnectionTimeout();
    try {
      nc.flush(limit);
    } catch (TimeoutException e) {
      if (nc.getStatus() == Connection.Status.CONNECTED) {
        sub.unsubscribe();
        throw new OpenTimeoutException("the NATS server did not confirm the subscription to " + subject, limit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sub.unsubscribe();
      throw new InterruptedIOException("interrupted while subscribing to " + subject);
    } catch (IllegalStateException e) {
      sub.unsubscribe();
      throw new NatsConnectionException(endpoint.description(), String.valueOf(nc.getStatus()), 0, e);
    }
  }

  /** The JetStream consumer's name (null in core mode). */
  String consumerName() {
    return consumerName;
  }

  /** Duplicates dropped (same session and frame number, or a repeated control record). */
  long duplicates() {
    return duplicates;
  }

  /** Frames known lost (core NATS gaps and client drops). */
  long lost() {
    return lost;
  }

  /** Frames that arrived after a later frame of their session (JetStream redeliveries). */
  long outOfOrder() {
    return outOfOrder;
  }

  /** Session ends held back because frames they count had not come yet (JetStream). */
  long endsHeld() {
    return endsHeld;
  }

  /** How many times the server was asked whether the consumer still exists (JetStream, idle or after a refused pull). */
  long consumerChecks() {
    return consumerChecks;
  }

  /** Held ends released after waiting twice {@code ackWait} plus 5 s, with frames still missing. */
  long endsGivenUp() {
    return endsGivenUp;
  }

  // ---------------------------------------------------------------- FrameSource

  @Override
  public InboundRecord next(Deadline deadline) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (gone != null) {
      throw gone;
    }
    settleCurrent();
    while (true) {
      if (closed) {
        throw new AsynchronousCloseException();
      }
      if (jetStream) {
        checkConsumer(deadline);
      }
      if (held != null) {
        Message m = held;
        held = null;
        InboundRecord r = interpret(m, true);
        if (r != null) {
          return r;
        }
        continue;
      }
      if (pendingEnds > 0) {
        InboundRecord end = finishPendingEnd(deadline);
        if (end != null) {
          return end;
        }
      }
      long now = System.nanoTime();
      checkDrops();
      checkExpired(now);
      if (!follow && sawSession && sessions.isEmpty()) {
        endReturned = true;
        return record.end(position);
      }
      if (nc.getStatus() == Connection.Status.CLOSED) {
        throw new NatsConnectionException(endpoint.description(), "CLOSED", 0, lastError());
      }
      // core: a message already queued is taken at once (no wait to work out, no second clock read)
      Message m = jetStream ? null : poll(0);
      if (m != null) {
        lastActivity = now;
      } else {
        long wait = deadline.remainingNanos();
        long expiry = nextExpiry();
        if (expiry != Long.MAX_VALUE) {
          wait = Math.min(wait, Math.max(0, expiry - now));
        }
        wait = Math.min(wait, SLICE_NANOS);
        m = poll(wait);
        if (m == null) {
          if (deadline.hasExpired()) {
            checkDrops();
            checkExpired(System.nanoTime());
            return null;
          }
          continue;
        }
        lastActivity = System.nanoTime();
      }
      if (jetStream) {
        pullError = null;
        nextConsumerCheck = lastActivity + CONSUMER_CHECK_IDLE_NANOS;
      }
      InboundRecord r = interpret(m, false);
      if (r != null) {
        return r;
      }
    }
  }

  private Message poll(long nanos) throws IOException {
    Duration d = nanos <= 0 ? NOW : Duration.ofNanos(nanos);
    try {
      if (jetStream) {
        return consumer.nextMessage(d);
      }
      return sub.nextMessage(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for NATS");
    } catch (IllegalStateException e) {
      if (closed) {
        throw new AsynchronousCloseException();
      }
      throw new NatsConnectionException(endpoint.description(), String.valueOf(nc.getStatus()), 0, e);
    } catch (io.nats.client.JetStreamStatusCheckedException e) {
      // jnats raises only the statuses it treats as errors: 409 Consumer Deleted, 409 Consumer is push based,
      // 400 Bad Request and unknown 409s (404/408/503, batch completed and leadership change end a pull quietly,
      // 409 Exceeded Max... and Server Shutdown are warnings); its pull then stops until the heartbeat alarm
      // (3 heartbeats, 3 s) subscribes and pulls again. Whether the consumer still exists is asked after a grace.
      String status = e.getCause() instanceof io.nats.client.JetStreamStatusException
          ? statusText(((io.nats.client.JetStreamStatusException) e.getCause()).getStatus()) : e.toString();
      LOG.log(System.Logger.Level.INFO, "{0}: the server ended a pull with {1}: checking that the consumer exists",
          description(), status);
      if (pullError == null) {
        pullError = status;
        nextConsumerCheck = System.nanoTime() + CONSUMER_CHECK_GRACE_NANOS;
      }
      return null;
    }
  }

  private static String statusText(io.nats.client.support.Status st) {
    return st == null ? "an unknown status" : st.getCode() + " " + st.getMessage();
  }

  /**
   * JetStream: asks the server whether the consumer exists, after a pull ended with an error status (and a
   * grace) or after {@link #CONSUMER_CHECK_IDLE_NANOS} without a message, at most that often; only if the
   * deadline leaves time for it (at most 1 s). Throws {@link ConsumerGoneException} (and stops the pulls)
   * if the server says the consumer or its stream does not exist; a timeout or a disconnection is not an answer.
   */
  private void checkConsumer(Deadline deadline) throws dev.fifochan.FifochanException {
    long now = System.nanoTime();
    if (now - nextConsumerCheck < 0 || deadline.remainingNanos() < MIN_ACK_FLOOR_WAIT_NANOS
        || nc.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    nextConsumerCheck = now + CONSUMER_CHECK_IDLE_NANOS;
    consumerChecks++;
    String answer;
    try {
      io.nats.client.JetStreamManagement jsm = nc.jetStreamManagement(io.nats.client.JetStreamOptions.builder()
          .requestTimeout(Duration.ofNanos(Math.min(1_000_000_000L, deadline.remainingNanos()))).build());
      io.nats.client.api.ConsumerInfo ci = jsm.getConsumerInfo(stream, consumerName);
      String limit = refusingLimit(ci);
      if (limit != null) {
        gone = new PullRefusedException(stream, consumerName, limit, ci.getNumPending());
        stopAfterFailure();
        throw gone;
      }
      if (pullError != null) {
        LOG.log(System.Logger.Level.INFO, "{0}: the consumer exists (after {1}): its pulls go on", description(), pullError);
        pullError = null;
      }
      return;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != JS_CONSUMER_NOT_FOUND && e.getApiErrorCode() != JS_STREAM_NOT_FOUND) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: consumer info: {1}", description(), e.toString());
        return;
      }
      answer = (pullError != null ? pullError + ", then " : "") + e.getErrorDescription();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: consumer info: {1}", description(), e.toString());
      return;
    }
    gone = new ConsumerGoneException(stream, consumerName, durable, answer, null);
    stopAfterFailure();
    throw gone;
  }

  /**
   * The consumer's limit that refuses this receiver's pulls while messages wait for it and no pull of ours
   * is waiting at the server (a change made after the receiver opened it), or null.
   */
  private String refusingLimit(io.nats.client.api.ConsumerInfo ci) {
    if (ci.getNumPending() == 0 || ci.getNumWaiting() > 0 || ci.getConsumerConfiguration() == null) {
      return null;
    }
    io.nats.client.api.ConsumerConfiguration cc = ci.getConsumerConfiguration();
    if (cc.getMaxBatch() > 0 && cc.getMaxBatch() < pullBatch) {
      return "max_batch " + cc.getMaxBatch() + " < the receiver's pull of " + pullBatch + " messages";
    }
    Duration maxExpires = cc.getMaxExpires();
    if (maxExpires != null && !maxExpires.isZero() && maxExpires.toMillis() < PULL_EXPIRES_MILLIS) {
      return "max_expires " + maxExpires.toMillis() + " ms < the receiver's pull of " + PULL_EXPIRES_MILLIS + " ms";
    }
    return null;
  }

  /** Logs the failure in {@link #gone} and stops the pulls (no more re-pulls the server cannot serve). */
  private void stopAfterFailure() {
    LOG.log(System.Logger.Level.WARNING, "{0}: {1}", description(), gone.getMessage());
    try {
      consumer.stop();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: stopping the pulls: {1}", description(), e.toString());
    }
  }

  /** Acknowledges the record returned last if it was not delivered (control records, dead letters). */
  private void settleCurrent() {
    if (current != null) {
      if (ackMode == Ack.ON_DELIVERED) {
        ack(current);
      }
      current = null;
    }
    currentIsFrame = false;
  }

  private void ack(Message m) {
    if (jetStream) {
      try {
        m.ack();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: ack failed (the message will be redelivered and dropped as a duplicate): {1}",
            description(), e.toString());
      }
    }
  }

  /** Marks a consumed message: acknowledged now (ON_DELIVERED) or with the next {@link #ackTaken()} (MANUAL). */
  private void consumed(Message m) {
    if (!jetStream) {
      return;
    }
    if (ackMode == Ack.ON_DELIVERED) {
      ack(m);
    } else {
      unacked.add(m);
    }
  }

  /**
   * ON_DELIVERED: the application is done with the frame {@link #next} returned last. Processed
   * ({@code handlerFailure} null): acknowledged. Its handler threw: {@code nak}ed, so JetStream delivers it
   * again at once, and its number forgotten, so that the redelivery is delivered rather than dropped as
   * a duplicate. After {@link #close()} the acknowledgement goes out if the connection is still open.
   */
  @Override
  public void released(InboundRecord r, Throwable handlerFailure) {
    if (current == null || !currentIsFrame || ackMode != Ack.ON_DELIVERED) {
      return;
    }
    Message m = current;
    current = null;
    currentIsFrame = false;
    if (handlerFailure == null || !jetStream) {
      ack(m);
    } else {
      if (currentSession != null && currentSeq >= 0) {
        currentSession.forget(currentSeq);
      }
      try {
        m.nak();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: nak failed (the message comes again after ackWait): {1}", description(),
            e.toString());
      }
    }
  }

  /**
   * Refuses, from now on, each writer session whose codec {@code acceptsCodec} refuses: its start (or, for
   * a session joined without its start, its first record, checked with the codec assumed for it) is an
   * {@link IncompatibleStreamException} ({@code CODEC}), and none of its records are returned. Always
   * true.
   */
  @Override
  public boolean enforceCodecs(Predicate<String> acceptsCodec, String readerCodec) {
    this.acceptsCodec = acceptsCodec;
    this.readerCodec = readerCodec;
    return true;
  }

  /**
   * MANUAL mode: acknowledges every message returned so far (the bridge calls it once they are in the
   * pipe). Returns how many were acknowledged.
   */
  int ackTaken() {
    int n = unacked.size();
    for (Message m : unacked) {
      ack(m);
    }
    unacked.clear();
    return n;
  }

  /** MANUAL mode: messages returned and not yet acknowledged. */
  int unackedCount() {
    return unacked.size();
  }

  private void checkDrops() throws MessagesLostException {
    if (sub == null) {
      return;
    }
    long dropped = sub.getDroppedCount();
    if (dropped > droppedReported) {
      long n = dropped - droppedReported;
      droppedReported = dropped;
      lost += n;
      throw new MessagesLostException(MessagesLostException.Reason.SLOW_CONSUMER, null, -1, -1, n, position);
    }
  }

  /** When the earliest session may expire ({@link #expiryFloor}; a check then finds out), or Long.MAX_VALUE. */
  private long nextExpiry() {
    if (livenessNanos <= 0 || sessions.isEmpty()) {
      return Long.MAX_VALUE;
    }
    return expiryFloor;
  }

  /** Adds a new session's expiry to {@link #expiryFloor}. */
  private void expiresAfter(Session s) {
    if (livenessNanos > 0) {
      expiryFloor = Math.min(expiryFloor, s.lastSeen + livenessNanos);
    }
  }

  /**
   * Throws for a session silent for the liveness timeout. Looks at the sessions only once the time has
   * reached {@link #expiryFloor} (a session's {@code lastSeen} only grows, so until then none expired),
   * and then renews it.
   */
  private void checkExpired(long now) throws TruncatedStreamException {
    if (livenessNanos <= 0 || sessions.isEmpty()) {
      return;
    }
    if (expiryFloor != Long.MAX_VALUE && now - expiryFloor < 0) {
      return;
    }
    long min = Long.MAX_VALUE;
    for (Session s : sessions.values()) {
      if (s.endMessage != null) {
        continue; // a held end waits for its frames, not for liveness
      }
      min = Math.min(min, s.lastSeen + livenessNanos);
      if (now - s.lastSeen >= livenessNanos) {
        sessions.remove(s.id);
        lastSession = null;
        ended.put(s.id, s);
        openSessions = sessions.size() - pendingEnds;
        LOG.log(System.Logger.Level.DEBUG, "{0}: session {1} silent for {2} ms: truncated", description(), s.id,
            livenessNanos / 1_000_000);
        throw new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, position, sessions.size() + 1);
      }
    }
    expiryFloor = min;
  }

  /**
   * The record a message carries, or null if it is consumed here (a duplicate, an unknown control
   * record, a session this reader refused).
   */
  private InboundRecord interpret(Message m, boolean wasHeld) throws IOException {
    io.nats.client.impl.Headers h = m.getHeaders();
    String sessionId = NatsWire.first(h, NatsWire.SESSION);
    String seqValue = NatsWire.first(h, NatsWire.SEQ);
    // a frame of a fifochan writer often has no other keys: then fc-rec, fc-tag and user headers are not looked for
    int found = (sessionId == null ? 0 : 1) + (seqValue == null ? 0 : 1);
    String rec = h != null && h.size() > found ? NatsWire.first(h, NatsWire.REC) : null;
    if (!wasHeld) {
      position = jetStream ? streamSequence(m) : position + 1;
    }
    if (sessionId == null) {
      sessionId = ""; // a plain NATS message: a frame of the anonymous session, not numbered
    }
    if (!refused.isEmpty() && refused.contains(sessionId)) {
      consumed(m);
      return null;
    }
    long seq = NatsWire.number(seqValue);
    if (rec == null) {
      return frame(m, h, sessionId, seq, wasHeld, found);
    }
    switch (rec) {
      case NatsWire.REC_START:
        return start(m, h, sessionId);
      case NatsWire.REC_HEARTBEAT: {
        Session s = sessions.get(sessionId);
        if (s == null) {
          if (ended.containsKey(sessionId)) {
            consumed(m);
            return null;
          }
          // joined after the start: the heartbeat opens the session (core: frames before it are not ours;
          // JetStream: they may still come, redelivered)
          s = join(m, sessionId, jetStream ? 0 : Math.max(0, seq));
          setCurrent(m, false);
          return startRecord(s);
        }
        s.lastSeen = System.nanoTime();
        if (!jetStream && seq > s.floor && !wasHeld) {
          long n = seq - s.floor;
          MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
          s.raiseFloor(seq);
          lost += n;
          held = m;
          throw gap;
        }
        setCurrent(m, false);
        return record.control(InboundRecord.Kind.HEARTBEAT, position, s, null, m);
      }
      case NatsWire.REC_END:
      case NatsWire.REC_ABORT: {
        Session s = sessions.get(sessionId);
        if (s == null) {
          consumed(m); // a repeated end, or the end of a session that began before we joined and sent nothing since
          if (ended.containsKey(sessionId)) {
            duplicates++;
          } else if (jetStream) {
            // its frames taken by a previous consumer and not acknowledged come later (redelivered): delivered then
            String codec = options.assumedCodec() != null ? options.assumedCodec() : (readerCodec != null ? readerCodec : "bytes");
            ended.put(sessionId, new Session(sessionId, codec, WireVersion.V1_1, 0));
          } else {
            LOG.log(System.Logger.Level.DEBUG, "{0}: end of unknown session {1} ignored", description(), sessionId);
          }
          return null;
        }
        if (!jetStream && seq > s.floor && !wasHeld) {
          long n = seq - s.floor;
          MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
          s.raiseFloor(seq);
          lost += n;
          held = m;
          throw gap;
        }
        String reason = null;
        if (rec.equals(NatsWire.REC_ABORT)) {
          reason = new String(m.getData() == null ? new byte[0] : m.getData(), StandardCharsets.UTF_8);
        }
        if (jetStream && !s.complete(seq)) {
          if (s.endMessage != null) {
            duplicates++; // the held end redelivered (ackWait passed): the held one is acknowledged when it is returned
            return null;
          }
          holdEnd(s, m, seq, reason);
          return null;
        }
        sessions.remove(sessionId);
        lastSession = null;
        ended.put(sessionId, s);
        openSessions = sessions.size() - pendingEnds;
        setCurrent(m, false);
        return record.control(InboundRecord.Kind.SESSION_END, position, s, reason, m);
      }
      default:
        consumed(m); // a control record of a later mapping version, or a connect request: not for a data reader
        return null;
    }
  }

  /**
   * JetStream: a session's end came while some of its frames have not: they were delivered to this
   * consumer and lost on the way (a server or connection failure) and come again after {@code ackWait},
   * after the end. The end is held back, unacknowledged, until they come, or until the consumer's
   * acknowledgement floor shows nothing below the end is outstanding (they were acknowledged by a
   * previous receiver with the same durable, or are before where the consumer started), or at most
   * twice {@code ackWait} plus 5 s (the server's redelivery timer) of connected time.
   */
  private void holdEnd(Session s, Message m, long seq, String reason) {
    s.endMessage = m;
    s.endSeq = seq;
    s.endReason = reason;
    s.endStreamSeq = position;
    s.endWaitUntil = System.nanoTime() + endWaitNanos();
    pendingEnds++;
    endsHeld++;
    openSessions = sessions.size() - pendingEnds;
    nextAckFloorCheck = System.nanoTime(); // at once: normally the frames were acknowledged elsewhere, or are in flight
    LOG.log(System.Logger.Level.DEBUG, "{0}: session {1} ended with {2} of its {3} frames not seen yet: its end waits for"
        + " their redelivery", description(), s.id, s.missingUpTo(seq), seq);
  }

  private long endWaitNanos() {
    return 2 * options.ackWait().toNanos() + END_WAIT_GRACE_NANOS;
  }

  /**
   * The held end of a session that is now complete, or that stops waiting; null if none. Asks the server
   * for the acknowledgement floor only if the deadline leaves time for it (at most 1 s).
   */
  private InboundRecord finishPendingEnd(Deadline deadline) {
    long now = System.nanoTime();
    boolean connected = nc.getStatus() == Connection.Status.CONNECTED;
    long ackFloor = -1;
    boolean asked = false;
    for (Session s : sessions.values()) {
      if (s.endMessage == null) {
        continue;
      }
      if (!connected) {
        s.endWaitUntil = Math.max(s.endWaitUntil, now + endWaitNanos()); // redeliveries start again after the reconnect
        continue;
      }
      boolean done = s.complete(s.endSeq);
      if (!done && now - nextAckFloorCheck >= 0 && deadline.remainingNanos() >= MIN_ACK_FLOOR_WAIT_NANOS) {
        if (!asked) {
          asked = true;
          ackFloor = consumerAckFloor(Math.min(1_000_000_000L, deadline.remainingNanos()));
          nextAckFloorCheck = now + ACK_FLOOR_CHECK_NANOS;
        }
        if (ackFloor >= s.endStreamSeq - 1) {
          LOG.log(System.Logger.Level.DEBUG, "{0}: session {1}: {2} frames before its end were acknowledged elsewhere (a"
              + " previous receiver of the durable, or before the consumer''s start)", description(), s.id, s.missingUpTo(s.endSeq));
          done = true;
        }
      }
      if (!done && now - s.endWaitUntil >= 0) {
        LOG.log(System.Logger.Level.INFO, "{0}: session {1} ended; {2} of its frames never came to this consumer within {3}"
            + " ms (another client of the durable took them?)", description(), s.id, s.missingUpTo(s.endSeq),
            endWaitNanos() / 1_000_000);
        endsGivenUp++;
        done = true;
      }
      if (done) {
        Message m = s.endMessage;
        s.endMessage = null;
        pendingEnds--;
        sessions.remove(s.id);
        lastSession = null;
        ended.put(s.id, s);
        openSessions = sessions.size() - pendingEnds;
        setCurrent(m, false);
        return record.control(InboundRecord.Kind.SESSION_END, s.endStreamSeq, s, s.endReason, m);
      }
    }
    return null;
  }

  /** The consumer's acknowledgement floor (stream sequence), or -1 if the server did not answer within {@code nanos}. */
  private long consumerAckFloor(long nanos) {
    try {
      io.nats.client.JetStreamManagement jsm = nc.jetStreamManagement(
          io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofNanos(nanos)).build());
      io.nats.client.api.ConsumerInfo ci = jsm.getConsumerInfo(stream, consumerName);
      return ci.getAckFloor() == null ? -1 : ci.getAckFloor().getStreamSequence();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: consumer info: {1}", description(), e.toString());
      return -1;
    }
  }

  private static long streamSequence(Message m) {
    try {
      return m.metaData().streamSequence();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private InboundRecord start(Message m, io.nats.client.impl.Headers h, String sessionId) throws IOException {
    if (sessions.containsKey(sessionId) || ended.containsKey(sessionId)) {
      duplicates++;
      consumed(m);
      return null;
    }
    String ver = NatsWire.first(h, NatsWire.VERSION);
    String codec = NatsWire.first(h, NatsWire.CODEC);
    WireVersion version;
    if ("1.1".equals(ver)) {
      version = WireVersion.V1_1;
    } else if ("1.0".equals(ver)) {
      version = WireVersion.V1_0;
    } else {
      refused.add(sessionId);
      consumed(m);
      throw new IncompatibleStreamException(IncompatibleStreamException.Reason.VERSION, String.valueOf(ver), "1.1", position);
    }
    if (codec == null || (acceptsCodec != null && !acceptsCodec.test(codec))) {
      refused.add(sessionId);
      consumed(m);
      throw new IncompatibleStreamException(IncompatibleStreamException.Reason.CODEC, String.valueOf(codec), readerCodec, position);
    }
    Session s = new Session(sessionId, codec, version, 0);
    s.lastSeen = System.nanoTime();
    sessions.put(sessionId, s);
    expiresAfter(s);
    openSessions = sessions.size() - pendingEnds;
    sawSession = true;
    setCurrent(m, false);
    return record.start(position, s);
  }

  /**
   * A session seen first by a frame or heartbeat ({@code m}): numbered from after {@code floor}, codec
   * assumed; refused (the message consumed) if the reader does not accept that codec.
   */
  private Session join(Message m, String sessionId, long floor) throws IncompatibleStreamException {
    String codec = options.assumedCodec() != null ? options.assumedCodec() : (readerCodec != null ? readerCodec : "bytes");
    if (acceptsCodec != null && !acceptsCodec.test(codec)) {
      refused.add(sessionId);
      consumed(m);
      throw new IncompatibleStreamException(IncompatibleStreamException.Reason.CODEC, codec, readerCodec, position);
    }
    Session s = new Session(sessionId, codec, WireVersion.V1_1, floor);
    s.lastSeen = System.nanoTime();
    sessions.put(sessionId, s);
    expiresAfter(s);
    openSessions = sessions.size() - pendingEnds;
    sawSession = true;
    LOG.log(System.Logger.Level.DEBUG, "{0}: joined session {1} after its start (codec assumed: {2})", description(), sessionId, codec);
    return s;
  }

  private InboundRecord startRecord(Session s) {
    return record.start(position, s);
  }

  /** The message of the record about to be returned; MANUAL mode queues it for {@link #ackTaken()}. */
  private void setCurrent(Message m, boolean isFrame) {
    current = m;
    currentIsFrame = isFrame;
    currentSession = null;
    currentSeq = -1;
    if (jetStream && ackMode == Ack.MANUAL) {
      unacked.add(m);
    }
  }

  /**
   * A frame's record; {@code mappingKeys}: how many of the mapping's keys {@code h} was found to hold
   * besides {@code fc-tag} (if that is all it holds, there are no user headers to look for).
   */
  private InboundRecord frame(Message m, io.nats.client.impl.Headers h, String sessionId, long seq, boolean wasHeld,
      int mappingKeys) throws IOException {
    Session s = lastSession;
    if (s == null || !s.id.equals(sessionId)) {
      s = sessions.get(sessionId);
      lastSession = s;
    }
    if (s == null) {
      Session old = ended.get(sessionId);
      if (old != null) {
        if (seq < 0 || old.seen(seq)) {
          duplicates++;
          consumed(m);
          return null;
        }
        old.mark(seq); // late (JetStream redelivery after its end): delivered, out of order
        outOfOrder++;
        s = old;
      } else {
        // core: the frames before this one are not ours (subscribed late); JetStream: they may still come
        s = join(m, sessionId, jetStream || seq <= 0 ? 0 : seq - 1);
        held = m;
        return startRecord(s);
      }
    } else if (seq >= 0 && !sessionId.isEmpty()) {
      if (s.seen(seq)) {
        duplicates++;
        consumed(m);
        return null;
      }
      if (!jetStream && seq > s.floor + 1 && !wasHeld) {
        long n = seq - s.floor - 1;
        MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
        lost += n;
        s.raiseFloor(seq - 1);
        held = m;
        throw gap;
      }
      if (s.late(seq)) {
        outOfOrder++;
      }
      s.mark(seq);
    }
    s.lastSeen = lastActivity;
    String tagValue = h == null || h.size() <= mappingKeys ? null : NatsWire.first(h, NatsWire.TAG);
    byte[] data = m.getData() == null ? new byte[0] : m.getData();
    String tag;
    try {
      tag = tagValue == null ? "" : NatsWire.decodeTag(tagValue);
    } catch (NatsWire.BadValueException e) {
      setCurrent(m, false);
      throw new MalformedFrameException(MalformedFrameException.Reason.BAD_TAG, null, e.shown(), data, position);
    }
    Headers headers;
    try {
      headers = h == null || h.size() == mappingKeys + (tagValue == null ? 0 : 1) ? Headers.empty() : userHeaders(h);
    } catch (NatsWire.BadValueException e) {
      setCurrent(m, false);
      throw new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS,
          MalformedFrameException.HeaderFault.VALUE_ENCODING, tag, data, position);
    }
    setCurrent(m, true);
    if (seq >= 0 && !sessionId.isEmpty()) {
      currentSession = s;
      currentSeq = seq;
    }
    return record.frame(position, s, tag, headers, data, m);
  }

  /** The user's headers of a frame: every key a fifochan key may be, except the mapping's own. */
  private static Headers userHeaders(io.nats.client.impl.Headers h) throws NatsWire.BadValueException {
    if (h == null || h.size() <= 3) {
      boolean any = false;
      if (h != null) {
        for (String k : h.keySet()) {
          if (isUserKey(k)) {
            any = true;
            break;
          }
        }
      }
      if (!any) {
        return Headers.empty();
      }
    }
    Headers.Builder b = Headers.builder();
    for (String k : h.keySet()) {
      if (isUserKey(k)) {
        List<String> v = h.get(k);
        if (v != null && !v.isEmpty()) {
          b.put(k, NatsWire.decodeValueChecked(v.get(0)));
        }
      }
    }
    return b.build();
  }

  private static boolean isUserKey(String k) {
    if (NatsWire.isMappingKey(k) || k.isEmpty() || k.length() > 64) {
      return false;
    }
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public long lastActivityNanos() {
    return lastActivity;
  }

  @Override
  public int openSessions() {
    return openSessions;
  }

  @Override
  public boolean resumesAfterFailure() {
    return follow;
  }

  @Override
  public String description() {
    return "nats:" + subject + " (" + (jetStream ? "JetStream consumer " + consumerName : "core") + ")";
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (consumer != null) {
        consumer.stop();
        try {
          consumer.close();
        } catch (Exception e) {
          // already stopped
        }
      }
      if (sub != null && sub.isActive()) {
        sub.unsubscribe();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "{0}: closing: {1}", description(), e.toString());
    } finally {
      endpoint.release();
    }
  }

  private Throwable lastError() {
    String e = nc.getLastError();
    return e == null || e.isEmpty() ? null : new IOException(e);
  }

  // ---------------------------------------------------------------- the record flyweight

  /** The reused record handed out by {@link #next}. */
  private static final class Record implements InboundRecord {
    private Kind kind;
    private long position;
    private String codec = "";
    private WireVersion version = WireVersion.V1_1;
    private String tag = "";
    private Headers headers = Headers.empty();
    private ByteBuffer payload = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private String reason;
    private int wireLength;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    InboundRecord start(long position, Session s) {
      set(Kind.SESSION_START, position, s);
      return this;
    }

    InboundRecord control(Kind kind, long position, Session s, String reason, Message m) {
      set(kind, position, s);
      this.reason = reason;
      this.wireLength = size(m);
      return this;
    }

    InboundRecord frame(long position, Session s, String tag, Headers headers, byte[] data, Message m) {
      set(Kind.FRAME, position, s);
      this.tag = tag;
      this.headers = headers;
      this.payload = ByteBuffer.wrap(data).asReadOnlyBuffer();
      this.wireLength = size(m);
      return this;
    }

    InboundRecord end(long position) {
      this.kind = Kind.END;
      this.position = position;
      this.tag = "";
      this.headers = Headers.empty();
      this.payload = EMPTY;
      this.reason = null;
      this.wireLength = 0;
      return this;
    }

    private void set(Kind kind, long position, Session s) {
      this.kind = kind;
      this.position = position;
      this.codec = s.codec;
      this.version = s.version;
      this.tag = "";
      this.headers = Headers.empty();
      this.payload = EMPTY;
      this.reason = null;
      this.wireLength = 0;
    }

    private static int size(Message m) {
      if (m == null) {
        return 0;
      }
      int n = m.getData() == null ? 0 : m.getData().length;
      return m.getHeaders() == null ? n : n + m.getHeaders().serializedLength();
    }

    @Override
    public Kind kind() {
      return kind;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public String codecName() {
      return codec;
    }

    @Override
    public WireVersion wireVersion() {
      return version;
    }

    @Override
    public String tag() {
      return tag;
    }

    @Override
    public Headers headers() {
      return headers;
    }

    @Override
    public ByteBuffer payload() {
      return payload;
    }

    @Override
    public int flags() {
      return 0;
    }

    @Override
    public String abortReason() {
      return reason;
    }

    @Override
    public int wireLength() {
      return wireLength;
    }
  }
}
