package dev.fifochan.nats;

import java.time.Duration;
import java.util.Objects;

/**
 * How a channel uses NATS: the delivery mode and its settings. Framing, heartbeats and liveness stay in
 * {@link dev.fifochan.ChannelConfig}; connecting (servers, TLS, credentials) is {@link NatsConnectOptions}.
 * Immutable; made by {@link #builder()}; {@link #defaults()} is core NATS.
 *
 * <p>Defaults: mode {@link Mode#CORE}; JetStream stream name derived from the subject
 * ({@code FC_} + the subject with every character other than {@code A-Z a-z 0-9 - _} as {@code _}),
 * created if missing (file storage, one replica, the subject only); no durable (an ephemeral consumer);
 * ack wait 30 s; dedup window 2 min; replay {@link Replay#NEW}; max in flight 1024 messages; not
 * following (a receiver ends when the sessions it saw have ended, as a FIFO receiver does at the
 * writer's end); pending limits 524,288 messages / 64 MiB per subscription; publish timeout 5 s.
 */
public final class NatsOptions {

  /** The delivery mode. */
  public enum Mode {
    /**
     * Core NATS: at most once, lowest latency, no receiver back-pressure. A receiver that falls behind
     * loses messages (the server or client drops the newest); the loss is reported as
     * {@link MessagesLostException}, never silent.
     */
    CORE,
    /**
     * JetStream: at least once. The sender's publishes are acknowledged by the stream (retried with the
     * same message id, so the stream holds each record once); the receiver acknowledges a message when the
     * application takes it, the server redelivers what was not acknowledged, and the receiver drops
     * duplicates by session and sequence number (counted in {@link NatsFrameSource#duplicates()}).
     */
    JETSTREAM
  }

  /** Where a JetStream receiver starts (for a new consumer; an existing durable resumes where it was). */
  public static final class Replay {
    /** Only records published after the consumer was made. */
    public static final Replay NEW = new Replay("new", 0);
    /** Every record in the stream. */
    public static final Replay ALL = new Replay("all", 0);

    final String kind;
    final long value;

    private Replay(String kind, long value) {
      this.kind = kind;
      this.value = value;
    }

    /** From the record with this stream sequence number (a receiver's {@code position()}), at least 1. */
    public static Replay fromSequence(long streamSequence) {
      if (streamSequence < 1) {
        throw new IllegalArgumentException("stream sequence must be at least 1: " + streamSequence);
      }
      return new Replay("sequence", streamSequence);
    }

    /** From the first record stored at or after this time (epoch milliseconds). */
    public static Replay fromTime(long epochMillis) {
      return new Replay("time", epochMillis);
    }

    @Override
    public String toString() {
      return value == 0 ? kind : kind + ":" + value;
    }
  }

  private static final NatsOptions DEFAULTS = builder().build();

  private final Mode mode;
  private final String stream;
  private final boolean createStream;
  private final boolean memoryStorage;
  private final int replicas;
  private final String durable;
  private final Duration ackWait;
  private final Duration dedupWindow;
  private final Replay replay;
  private final int maxInFlight;
  private final boolean follow;
  private final Duration liveness;
  private final long pendingMessages;
  private final long pendingBytes;
  private final Duration publishTimeout;
  private final String assumedCodec;
  private final String queueGroup;

  private NatsOptions(Builder b) {
    this.mode = b.mode;
    this.stream = b.stream;
    this.createStream = b.createStream;
    this.memoryStorage = b.memoryStorage;
    this.replicas = b.replicas;
    this.durable = b.durable;
    this.ackWait = b.ackWait;
    this.dedupWindow = b.dedupWindow;
    this.replay = b.replay;
    this.maxInFlight = b.maxInFlight;
    this.follow = b.follow;
    this.liveness = b.liveness;
    this.pendingMessages = b.pendingMessages;
    this.pendingBytes = b.pendingBytes;
    this.publishTimeout = b.publishTimeout;
    this.assumedCodec = b.assumedCodec;
    this.queueGroup = b.queueGroup;
  }

  /** Core NATS with every default. */
  public static NatsOptions defaults() {
    return DEFAULTS;
  }

  /** JetStream with every other default. */
  public static NatsOptions jetStream() {
    return builder().mode(Mode.JETSTREAM).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.mode = mode;
    b.stream = stream;
    b.createStream = createStream;
    b.memoryStorage = memoryStorage;
    b.replicas = replicas;
    b.durable = durable;
    b.ackWait = ackWait;
    b.dedupWindow = dedupWindow;
    b.replay = replay;
    b.maxInFlight = maxInFlight;
    b.follow = follow;
    b.liveness = liveness;
    b.pendingMessages = pendingMessages;
    b.pendingBytes = pendingBytes;
    b.publishTimeout = publishTimeout;
    b.assumedCodec = assumedCodec;
    b.queueGroup = queueGroup;
    return b;
  }

  public Mode mode() {
    return mode;
  }

  /** The JetStream stream's name, or null to derive it from the subject ({@link #streamFor}). */
  public String stream() {
    return stream;
  }

  /** The stream name used for {@code subject}: {@link #stream()} or the derived name. */
  public String streamFor(String subject) {
    if (stream != null) {
      return stream;
    }
    StringBuilder sb = new StringBuilder("FC_");
    for (int i = 0; i < subject.length(); i++) {
      char c = subject.charAt(i);
      sb.append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_');
    }
    return sb.toString();
  }

  /** Whether a missing stream is created (capturing the subject only). */
  public boolean createStream() {
    return createStream;
  }

  /** Whether a created stream keeps its messages in memory rather than in files. */
  public boolean memoryStorage() {
    return memoryStorage;
  }

  /** Replicas of a created stream (1 to 5; more than 1 needs a cluster). */
  public int replicas() {
    return replicas;
  }

  /** The durable consumer's name (a receiver that restarts with it resumes after its last ack); null: ephemeral. */
  public String durable() {
    return durable;
  }

  /** How long JetStream waits for an acknowledgement before redelivering. */
  public Duration ackWait() {
    return ackWait;
  }

  /** The stream's duplicate window (publishes with the same message id within it are stored once). */
  public Duration dedupWindow() {
    return dedupWindow;
  }

  /** Where a new JetStream consumer starts. */
  public Replay replay() {
    return replay;
  }

  /**
   * Back-pressure: messages a sender may have outstanding. JetStream: published and not yet
   * acknowledged by the stream; core NATS: queued in the client and not yet written to the socket. A
   * send beyond it waits (a timed send gives up with {@link dev.fifochan.SendTimeoutException}, an
   * offer answers {@link dev.fifochan.SendStatus#BACK_PRESSURED}).
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Whether a receiver goes on across sessions and after failures (as a FIFO receiver in follow mode). */
  public boolean follow() {
    return follow;
  }

  /**
   * How long a receiver waits without a record (frames or heartbeats) of an open session before it
   * reports that session truncated (its publisher is presumed dead); null: the channel's
   * {@link dev.fifochan.ChannelConfig#livenessTimeout()}, and ZERO there too means never.
   */
  public Duration liveness() {
    return liveness;
  }

  /** A core subscription's pending limit in messages (beyond it the client drops the newest). */
  public long pendingMessages() {
    return pendingMessages;
  }

  /** A core subscription's pending limit in bytes. */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** How long a JetStream publish waits for the stream's acknowledgement before it is retried. */
  public Duration publishTimeout() {
    return publishTimeout;
  }

  /**
   * The codec a receiver assumes for a session it joins after its start record (a late subscriber, a
   * replay from the middle, a restarted bridge); null: the receiver's own codec name.
   */
  public String assumedCodec() {
    return assumedCodec;
  }

  /** The queue group of a request/response acceptor (responders in one group share the connections); null: none. */
  public String queueGroup() {
    return queueGroup;
  }

  @Override
  public String toString() {
    return "NatsOptions[mode=" + mode + (mode == Mode.JETSTREAM ? ", stream=" + stream + ", durable=" + durable
        + ", replay=" + replay + ", ackWait=" + ackWait : "") + ", maxInFlight=" + maxInFlight + ", follow=" + follow + "]";
  }

  /** Builds {@link NatsOptions}; every setter validates its argument. */
  public static final class Builder {
    private Mode mode = Mode.CORE;
    private String stream;
    private boolean createStream = true;
    private boolean memoryStorage;
    private int replicas = 1;
    private String durable;
    private Duration ackWait = Duration.ofSeconds(30);
    private Duration dedupWindow = Duration.ofMinutes(2);
    private Replay replay = Replay.NEW;
    private int maxInFlight = 1024;
    private boolean follow;
    private Duration liveness;
    private long pendingMessages = 524_288;
    private long pendingBytes = 64L << 20;
    private Duration publishTimeout = Duration.ofSeconds(5);
    private String assumedCodec;
    private String queueGroup;

    private Builder() {}

    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    public Builder stream(String name) {
      if (name != null && !name.matches("[A-Za-z0-9_-]{1,255}")) {
        throw new IllegalArgumentException("a stream name is 1 to 255 characters of A-Z a-z 0-9 - _: '" + name + "'");
      }
      this.stream = name;
      return this;
    }

    public Builder createStream(boolean create) {
      this.createStream = create;
      return this;
    }

    public Builder memoryStorage(boolean memory) {
      this.memoryStorage = memory;
      return this;
    }

    public Builder replicas(int replicas) {
      if (replicas < 1 || replicas > 5) {
        throw new IllegalArgumentException("replicas must be 1 to 5: " + replicas);
      }
      this.replicas = replicas;
      return this;
    }

    public Builder durable(String name) {
      if (name != null && !name.matches("[A-Za-z0-9_-]{1,255}")) {
        throw new IllegalArgumentException("a durable name is 1 to 255 characters of A-Z a-z 0-9 - _: '" + name + "'");
      }
      this.durable = name;
      return this;
    }

    public Builder ackWait(Duration wait) {
      this.ackWait = positive(wait, "ackWait");
      return this;
    }

    public Builder dedupWindow(Duration window) {
      this.dedupWindow = positive(window, "dedupWindow");
      return this;
    }

    public Builder replay(Replay replay) {
      this.replay = Objects.requireNonNull(replay, "replay");
      return this;
    }

    public Builder maxInFlight(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1: " + max);
      }
      this.maxInFlight = max;
      return this;
    }

    public Builder follow(boolean follow) {
      this.follow = follow;
      return this;
    }

    public Builder liveness(Duration liveness) {
      if (liveness != null && liveness.isNegative()) {
        throw new IllegalArgumentException("liveness must not be negative: " + liveness);
      }
      this.liveness = liveness;
      return this;
    }

    public Builder pendingLimits(long messages, long bytes) {
      if (messages < 1 || bytes < 1024) {
        throw new IllegalArgumentException("pending limits must be at least 1 message and 1024 bytes: " + messages + ", " + bytes);
      }
      this.pendingMessages = messages;
      this.pendingBytes = bytes;
      return this;
    }

    public Builder publishTimeout(Duration timeout) {
      this.publishTimeout = positive(timeout, "publishTimeout");
      return this;
    }

    public Builder assumedCodec(String codec) {
      if (codec != null && !codec.matches("[\\x21-\\x7e]{1,64}")) {
        throw new IllegalArgumentException("a codec name is 1 to 64 printable ASCII characters: '" + codec + "'");
      }
      this.assumedCodec = codec;
      return this;
    }

    public Builder queueGroup(String group) {
      if (group != null && !group.matches("[\\x21-\\x7e&&[^.*>]]{1,255}")) {
        throw new IllegalArgumentException("a queue group is a NATS token (no spaces, '.', '*' or '>'): '" + group + "'");
      }
      this.queueGroup = group;
      return this;
    }

    public NatsOptions build() {
      return new NatsOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
