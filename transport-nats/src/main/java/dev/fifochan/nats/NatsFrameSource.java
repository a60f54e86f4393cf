package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
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
import java.util.TreeSet;
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

  /** When a JetStream message is acknowledged. */
  enum Ack {
    /** When the application takes the frame ({@link #delivered}); control records and duplicates at once. */
    ON_DELIVERED,
    /** Only when {@link #ackTaken()} is called (the bridge: after the records are in the pipe). */
    MANUAL
  }

  private final NatsEndpoint endpoint;
  private final Connection nc;
  private final String subject;
  private final NatsOptions options;
  private final boolean jetStream;
  private final Predicate<String> acceptsCodec;
  private final String readerCodec;
  private final Ack ackMode;
  private final long livenessNanos;
  private final boolean follow;

  private final Subscription sub;
  private final IterableConsumer consumer;
  private final String consumerName;

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
  private long position;
  private long lastActivity = Long.MIN_VALUE;
  private long droppedReported;
  private boolean sawSession;
  private boolean endReturned;
  /** A message held back while an error about it is thrown first (a gap before it). */
  private Message held;
  /** The message of the record returned last (acknowledged when delivered, or on the next call). */
  private Message current;
  private boolean currentIsFrame;

  /** One writer session's state: the frame numbers seen. */
  private static final class Session {
    final String id;
    final String codec;
    final WireVersion version;
    /** Every frame number up to this one has been seen. */
    long floor;
    /** Frame numbers above the floor seen out of order (JetStream redeliveries). */
    TreeSet<Long> above;
    long lastSeen;

    Session(String id, String codec, WireVersion version, long floor) {
      this.id = id;
      this.codec = codec;
      this.version = version;
      this.floor = floor;
    }

    boolean seen(long seq) {
      return seq <= floor || (above != null && above.contains(seq));
    }

    void mark(long seq) {
      if (seq == floor + 1) {
        floor = seq;
        while (above != null && !above.isEmpty() && above.first() == floor + 1) {
          floor = above.pollFirst();
        }
      } else if (seq > floor) {
        if (above == null) {
          above = new TreeSet<>();
        }
        above.add(seq);
      }
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
    if (jetStream) {
      String stream = NatsStreams.ensureStream(nc, subject, options);
      try {
        StreamContext sc = nc.getStreamContext(stream);
        ConsumerContext cc = sc.createOrUpdateConsumer(NatsStreams.consumer(subject, options));
        this.consumerName = cc.getConsumerName();
        int batch = Math.max(16, Math.min(options.maxInFlight(), 1024));
        this.consumer = cc.iterate(ConsumeOptions.builder().batchSize(batch).expiresIn(2000).build());
      } catch (JetStreamApiException e) {
        throw new IOException("cannot make a JetStream consumer on " + stream + " for " + subject + ": " + e.getMessage(), e);
      }
      this.sub = null;
    } else {
      this.sub = nc.subscribe(subject);
      this.sub.setPendingLimits(options.pendingMessages(), options.pendingBytes());
      this.consumer = null;
      this.consumerName = null;
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

  // ---------------------------------------------------------------- FrameSource

  @Override
  public InboundRecord next(Deadline deadline) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    settleCurrent();
    while (true) {
      if (closed) {
        throw new AsynchronousCloseException();
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
      checkDrops();
      checkExpired();
      if (!follow && sawSession && sessions.isEmpty()) {
        endReturned = true;
        return record.end(position);
      }
      if (nc.getStatus() == Connection.Status.CLOSED) {
        throw new NatsConnectionException(endpoint.description(), "CLOSED", 0, lastError());
      }
      long wait = deadline.remainingNanos();
      long expiry = nextExpiry();
      if (expiry != Long.MAX_VALUE) {
        wait = Math.min(wait, Math.max(0, expiry - System.nanoTime()));
      }
      wait = Math.min(wait, SLICE_NANOS);
      Message m = poll(wait);
      if (m == null) {
        if (deadline.hasExpired()) {
          checkDrops();
          checkExpired();
          return null;
        }
        continue;
      }
      lastActivity = System.nanoTime();
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
      LOG.log(System.Logger.Level.DEBUG, "{0}: JetStream status: {1}", description(), e.toString());
      return null;
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

  @Override
  public void delivered(InboundRecord r) {
    if (current != null && currentIsFrame && ackMode == Ack.ON_DELIVERED) {
      ack(current);
      current = null;
    }
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

  private long nextExpiry() {
    if (livenessNanos <= 0 || sessions.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long min = Long.MAX_VALUE;
    for (Session s : sessions.values()) {
      min = Math.min(min, s.lastSeen + livenessNanos);
    }
    return min;
  }

  private void checkExpired() throws TruncatedStreamException {
    if (livenessNanos <= 0 || sessions.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (Session s : sessions.values()) {
      if (now - s.lastSeen >= livenessNanos) {
        sessions.remove(s.id);
        ended.put(s.id, s);
        openSessions = sessions.size();
        LOG.log(System.Logger.Level.DEBUG, "{0}: session {1} silent for {2} ms: truncated", description(), s.id,
            livenessNanos / 1_000_000);
        throw new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, position, sessions.size() + 1);
      }
    }
  }

  /**
   * The record a message carries, or null if it is consumed here (a duplicate, an unknown control
   * record, a session this reader refused).
   */
  private InboundRecord interpret(Message m, boolean wasHeld) throws IOException {
    io.nats.client.impl.Headers h = m.getHeaders();
    String sessionId = NatsWire.first(h, NatsWire.SESSION);
    String rec = NatsWire.first(h, NatsWire.REC);
    if (!wasHeld) {
      position = jetStream ? streamSequence(m) : position + 1;
    }
    if (sessionId == null) {
      sessionId = ""; // a plain NATS message: a frame of the anonymous session, not numbered
    }
    if (refused.contains(sessionId)) {
      consumed(m);
      return null;
    }
    long seq = NatsWire.number(h, NatsWire.SEQ);
    if (rec == null) {
      return frame(m, h, sessionId, seq, wasHeld);
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
          // joined after the start: the heartbeat opens the session (frames before it are not ours)
          s = join(sessionId, Math.max(0, seq));
          setCurrent(m, false);
          return startRecord(s);
        }
        s.lastSeen = System.nanoTime();
        if (!jetStream && seq > s.floor && !wasHeld) {
          long n = seq - s.floor;
          MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
          s.floor = seq;
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
          if (!ended.containsKey(sessionId)) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: end of unknown session {1} ignored", description(), sessionId);
          } else {
            duplicates++;
          }
          return null;
        }
        if (!jetStream && seq > s.floor && !wasHeld) {
          long n = seq - s.floor;
          MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
          s.floor = seq;
          lost += n;
          held = m;
          throw gap;
        }
        sessions.remove(sessionId);
        ended.put(sessionId, s);
        openSessions = sessions.size();
        String reason = null;
        if (rec.equals(NatsWire.REC_ABORT)) {
          reason = new String(m.getData() == null ? new byte[0] : m.getData(), StandardCharsets.UTF_8);
        }
        setCurrent(m, false);
        return record.control(InboundRecord.Kind.SESSION_END, position, s, reason, m);
      }
      default:
        consumed(m); // a control record of a later mapping version, or a connect request: not for a data reader
        return null;
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
    openSessions = sessions.size();
    sawSession = true;
    setCurrent(m, false);
    return record.start(position, s);
  }

  /** A session seen first by a frame or heartbeat: numbered from after {@code floor}, codec assumed. */
  private Session join(String sessionId, long floor) {
    String codec = options.assumedCodec() != null ? options.assumedCodec() : (readerCodec != null ? readerCodec : "bytes");
    Session s = new Session(sessionId, codec, WireVersion.V1_1, floor);
    s.lastSeen = System.nanoTime();
    sessions.put(sessionId, s);
    openSessions = sessions.size();
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
    if (jetStream && ackMode == Ack.MANUAL) {
      unacked.add(m);
    }
  }

  private InboundRecord frame(Message m, io.nats.client.impl.Headers h, String sessionId, long seq, boolean wasHeld)
      throws IOException {
    Session s = sessions.get(sessionId);
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
        s = join(sessionId, seq > 0 ? seq - 1 : 0);
        held = m;
        return startRecord(s);
      }
    } else if (seq >= 0 && !sessionId.isEmpty()) {
      if (s.seen(seq)) {
        duplicates++;
        consumed(m);
        return null;
      }
      if (seq > s.floor + 1) {
        if (jetStream) {
          outOfOrder++;
          s.mark(seq);
        } else if (!wasHeld) {
          long n = seq - s.floor - 1;
          MessagesLostException gap = new MessagesLostException(MessagesLostException.Reason.GAP, sessionId, s.floor + 1, seq, n, position);
          lost += n;
          s.floor = seq - 1;
          held = m;
          throw gap;
        } else {
          s.mark(seq);
        }
      } else {
        s.mark(seq);
      }
    }
    s.lastSeen = System.nanoTime();
    String tagValue = NatsWire.first(h, NatsWire.TAG);
    byte[] data = m.getData() == null ? new byte[0] : m.getData();
    String tag;
    Headers headers;
    try {
      tag = tagValue == null ? "" : NatsWire.decodeText(tagValue);
      headers = userHeaders(h);
    } catch (IllegalArgumentException e) {
      setCurrent(m, false);
      throw new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS, null, tagValue == null ? "" : tagValue,
          data, position);
    }
    setCurrent(m, true);
    return record.frame(position, s, tag, headers, data, m);
  }

  /** The user's headers of a frame: every key a fifochan key may be, except the mapping's own. */
  private static Headers userHeaders(io.nats.client.impl.Headers h) {
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
          b.put(k, NatsWire.decodeValue(v.get(0)));
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
