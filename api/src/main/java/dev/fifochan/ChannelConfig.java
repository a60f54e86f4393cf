package dev.fifochan;

import dev.fifochan.internal.FrameDescriptor;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The core configuration of a sender or receiver: framing, buffering and how an end ends. It names no
 * transport concept; each transport has its own options (for FIFOs: {@code FifoOptions}). Immutable:
 * the {@link Builder} validates every value as it is set, and {@link Builder#build()} seals them.
 *
 * <pre>{@code
 * ChannelConfig config = ChannelConfig.builder()
 *     .checksum(true)
 *     .closeTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>used by</th></tr>
 *   <tr><td>{@link #maxFrameLength()}</td><td>16 MiB</td><td>both</td></tr>
 *   <tr><td>{@link #checksum()}</td><td>false</td><td>sender</td></tr>
 *   <tr><td>{@link #bufferSize()}</td><td>256 KiB</td><td>both</td></tr>
 *   <tr><td>{@link #flushDelay()}</td><td>50 µs</td><td>sender</td></tr>
 *   <tr><td>{@link #closeTimeout()}</td><td>30 s</td><td>sender</td></tr>
 *   <tr><td>{@link #heartbeatInterval()}</td><td>0 (off)</td><td>sender</td></tr>
 *   <tr><td>{@link #livenessTimeout()}</td><td>0 (off)</td><td>receiver</td></tr>
 *   <tr><td>{@link #wireVersion()}</td><td>1.1</td><td>sender</td></tr>
 *   <tr><td>{@link #waitStrategy()}</td><td>park</td><td>both</td></tr>
 *   <tr><td>{@link #deadLetters()}</td><td>none (throw)</td><td>receiver</td></tr>
 *   <tr><td>{@link #name()}</td><td>the transport's description</td><td>both</td></tr>
 *   <tr><td>{@link #interceptors()}</td><td>none</td><td>both</td></tr>
 * </table>
 *
 * <p>A duration longer than about 73 years ({@code Long.MAX_VALUE / 4} ns), such as
 * {@code ChronoUnit.FOREVER.getDuration()}, is taken as 73 years: practically no limit.
 */
public final class ChannelConfig {
  /** The longest duration kept (about 73 years); longer ones are taken as this. */
  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 4);
  private static final ChannelConfig DEFAULTS = new Builder().build();

  private final int maxFrameLength;
  private final boolean checksum;
  private final int bufferSize;
  private final Duration flushDelay;
  private final Duration closeTimeout;
  private final Duration heartbeatInterval;
  private final Duration livenessTimeout;
  private final WireVersion wireVersion;
  private final WaitStrategy waitStrategy;
  private final DeadLetterHandler deadLetters;
  private final String name;
  private final List<ChannelInterceptor> interceptors;

  private ChannelConfig(Builder b) {
    this.maxFrameLength = b.maxFrameLength;
    this.checksum = b.checksum;
    this.bufferSize = b.bufferSize;
    this.flushDelay = b.flushDelay;
    this.closeTimeout = b.closeTimeout;
    this.heartbeatInterval = b.heartbeatInterval;
    this.livenessTimeout = b.livenessTimeout;
    this.wireVersion = b.wireVersion;
    this.waitStrategy = b.waitStrategy;
    this.deadLetters = b.deadLetters;
    this.name = b.name;
    this.interceptors = b.interceptors;
  }

  /** The defaults (see the table above). */
  public static ChannelConfig defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Largest payload a receiver accepts (a longer frame is {@link FrameTooLongException}, found before
   * anything is allocated) and a sender sends (a longer message is {@link MessageTooLongException}),
   * in bytes. Default 16 MiB.
   */
  public int maxFrameLength() {
    return maxFrameLength;
  }

  /**
   * Whether a sender appends a CRC-32C to every record of its stream. Receivers verify a checksum
   * whenever one is present. Default false.
   */
  public boolean checksum() {
    return checksum;
  }

  /**
   * Size of a sender's coalescing buffer and of a receiver's read buffer, in bytes (at least 4096;
   * rounded up to whole 4 KiB pages). A frame larger than the buffer still works: it is written from,
   * or assembled in, a separate array. Default 256 KiB.
   */
  public int bufferSize() {
    return bufferSize;
  }

  /**
   * How long a sender keeps buffered messages after it goes idle before the shared scheduler writes
   * them. {@link Duration#ZERO} writes each message at once (accepted then means in the transport).
   * Default 50 µs. A message sent after a pause goes out one flush delay later; while a sender keeps
   * sending, the scheduler looks less and less often (after 1, 2, 4, 8 delays, then every 20) and the
   * sender writes what it holds itself at those looks, so the last messages of a long burst may wait up
   * to 20 flush delays (1 ms by default) — call {@link Sender#flush()} where that matters.
   */
  public Duration flushDelay() {
    return flushDelay;
  }

  /**
   * How long {@link Sender#close()} and {@link Sender#abort(String)} may take to drain what the
   * sender accepted before they give up (then the stream is truncated). Default 30 s.
   */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * After how long without writing a format-1.1 sender writes a heartbeat, so that a reader with a
   * {@link #livenessTimeout()} knows it is alive. {@link Duration#ZERO} (the default) sends none.
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * How long a receiver waits, while a writer session is open, for any sign of life (any byte; a
   * heartbeat is the smallest) before a receive throws {@link LivenessTimeoutException}. {@link Duration#ZERO} (the
   * default) never does. Set it above the writer's heartbeat interval plus scheduling noise.
   */
  public Duration livenessTimeout() {
    return livenessTimeout;
  }

  /** The wire format a sender writes ({@link WireVersion}). Receivers read both. Default 1.1. */
  public WireVersion wireVersion() {
    return wireVersion;
  }

  /** How an end waits for its transport. Default {@link WaitStrategy#park()}. */
  public WaitStrategy waitStrategy() {
    return waitStrategy;
  }

  /**
   * Where a receiver hands the frames it cannot decode; null (the default) makes the receive call
   * throw the {@link DecodeException} instead. Either way the stream goes on.
   */
  public DeadLetterHandler deadLetters() {
    return deadLetters;
  }

  /** The end's name for logs and metrics; null (the default) uses the transport's description. */
  public String name() {
    return name;
  }

  /**
   * The interceptors senders and receivers with this configuration call for every message, in order
   * ({@link ChannelInterceptor}: metrics, tracing). Empty (the default): none, at no cost.
   */
  public List<ChannelInterceptor> interceptors() {
    return interceptors;
  }

  @Override
  public String toString() {
    return "ChannelConfig{maxFrameLength=" + maxFrameLength + ", checksum=" + checksum + ", bufferSize=" + bufferSize
        + ", flushDelay=" + flushDelay + ", closeTimeout=" + closeTimeout + ", heartbeatInterval=" + heartbeatInterval
        + ", livenessTimeout=" + livenessTimeout + ", wireVersion=" + wireVersion + ", waitStrategy=" + waitStrategy
        + ", deadLetters=" + (deadLetters == null ? "none" : deadLetters) + ", name=" + name
        + (interceptors.isEmpty() ? "" : ", interceptors=" + interceptors) + "}";
  }

  /** Builds a {@link ChannelConfig}; every setter validates its argument at once. Not thread-safe. */
  public static final class Builder {
    private int maxFrameLength = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    private boolean checksum;
    private int bufferSize = 256 * 1024;
    private Duration flushDelay = Duration.ofNanos(50_000);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ZERO;
    private Duration livenessTimeout = Duration.ZERO;
    private WireVersion wireVersion = WireVersion.V1_1;
    private WaitStrategy waitStrategy = WaitStrategy.park();
    private DeadLetterHandler deadLetters;
    private String name;
    private List<ChannelInterceptor> interceptors = List.of();

    private Builder() {}

    private Builder(ChannelConfig c) {
      maxFrameLength = c.maxFrameLength;
      checksum = c.checksum;
      bufferSize = c.bufferSize;
      flushDelay = c.flushDelay;
      closeTimeout = c.closeTimeout;
      heartbeatInterval = c.heartbeatInterval;
      livenessTimeout = c.livenessTimeout;
      wireVersion = c.wireVersion;
      waitStrategy = c.waitStrategy;
      deadLetters = c.deadLetters;
      name = c.name;
      interceptors = c.interceptors;
    }

    /** @throws IllegalArgumentException if negative or over 2^31 - 1 - 64 KiB (room for the record around it) */
    public Builder maxFrameLength(int bytes) {
      if (bytes < 0 || bytes > Integer.MAX_VALUE - 65_536) {
        throw new IllegalArgumentException("maxFrameLength must be 0.." + (Integer.MAX_VALUE - 65_536) + ": " + bytes);
      }
      this.maxFrameLength = bytes;
      return this;
    }

    public Builder checksum(boolean on) {
      this.checksum = on;
      return this;
    }

    /** @throws IllegalArgumentException if under 4096 or over 1 GiB */
    public Builder bufferSize(int bytes) {
      if (bytes < 4096 || bytes > (1 << 30)) {
        throw new IllegalArgumentException("bufferSize must be 4096..2^30: " + bytes);
      }
      this.bufferSize = bytes;
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder flushDelay(Duration delay) {
      this.flushDelay = nonNegative("flushDelay", delay);
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = nonNegative("closeTimeout", timeout);
      return this;
    }

    /** @throws IllegalArgumentException if negative, or positive but under 1 ms */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = periodOrZero("heartbeatInterval", interval);
      return this;
    }

    /** @throws IllegalArgumentException if negative, or positive but under 1 ms */
    public Builder livenessTimeout(Duration timeout) {
      this.livenessTimeout = periodOrZero("livenessTimeout", timeout);
      return this;
    }

    public Builder wireVersion(WireVersion version) {
      this.wireVersion = Objects.requireNonNull(version, "wireVersion");
      return this;
    }

    public Builder waitStrategy(WaitStrategy strategy) {
      this.waitStrategy = Objects.requireNonNull(strategy, "waitStrategy");
      return this;
    }

    /** The handler for undecodable frames; null to throw {@link DecodeException} (the default). */
    public Builder deadLetters(DeadLetterHandler handler) {
      this.deadLetters = handler;
      return this;
    }

    /** @throws IllegalArgumentException if empty or blank (null restores the default) */
    public Builder name(String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * The interceptors to call, in this order, replacing any set before; none (no arguments) turns
     * them off. See {@link ChannelInterceptor}.
     *
     * @throws NullPointerException if an interceptor is null
     */
    public Builder interceptors(ChannelInterceptor... interceptors) {
      this.interceptors = List.copyOf(Arrays.asList(interceptors));
      return this;
    }

    /** The interceptors to call, in the list's order, replacing any set before; see {@link #interceptors(ChannelInterceptor...)}. */
    public Builder interceptors(List<? extends ChannelInterceptor> interceptors) {
      this.interceptors = List.copyOf(interceptors);
      return this;
    }

    /** The sealed configuration. */
    public ChannelConfig build() {
      return new ChannelConfig(this);
    }

    private static Duration nonNegative(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative: " + d);
      }
      return d.compareTo(LONGEST) > 0 ? LONGEST : d; // its nanoseconds, and sums of them, fit a long
    }

    private static Duration periodOrZero(String what, Duration d) {
      Duration capped = nonNegative(what, d);
      if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(what + " must be zero (off) or at least 1 ms: " + d);
      }
      return capped;
    }
  }
}
