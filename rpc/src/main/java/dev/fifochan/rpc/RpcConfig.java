package dev.fifochan.rpc;

import dev.fifochan.ChannelConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of an {@link RpcClient} or {@link RpcResponder}. Immutable: the {@link Builder}
 * validates every value as it is set, and {@link Builder#build()} seals them.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>used by</th></tr>
 *   <tr><td>{@link #service()}</td><td>{@code default}</td><td>both (handshake)</td></tr>
 *   <tr><td>{@link #heartbeatInterval()}</td><td>1 s</td><td>both</td></tr>
 *   <tr><td>{@link #livenessTimeout()}</td><td>5 s</td><td>both</td></tr>
 *   <tr><td>{@link #handshakeTimeout()}</td><td>10 s</td><td>both</td></tr>
 *   <tr><td>{@link #connectAttempt()}</td><td>1 s</td><td>client (and the responder's accept)</td></tr>
 *   <tr><td>{@link #reconnectDelay()}</td><td>200 ms</td><td>client</td></tr>
 *   <tr><td>{@link #maxStreamBuffer()}</td><td>10 000 items</td><td>client</td></tr>
 *   <tr><td>{@link #maxCallsInFlight()}</td><td>10 000 per connection</td><td>responder</td></tr>
 *   <tr><td>{@link #drainTimeout()}</td><td>10 s</td><td>responder ({@code close()})</td></tr>
 *   <tr><td>{@link #channel()}</td><td>{@link ChannelConfig#defaults()}</td><td>both streams</td></tr>
 * </table>
 *
 * <p>A duration longer than about 73 years ({@code Long.MAX_VALUE / 4} ns) is taken as 73 years:
 * practically no limit.
 */
public final class RpcConfig {
  private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9._/-]{1,128}");
  /** The longest duration kept (about 73 years); longer ones are taken as this. */
  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 4);
  private static final RpcConfig DEFAULTS = new Builder().build();

  private final String service;
  private final Duration heartbeatInterval;
  private final Duration livenessTimeout;
  private final Duration handshakeTimeout;
  private final Duration connectAttempt;
  private final Duration reconnectDelay;
  private final int maxStreamBuffer;
  private final int maxCallsInFlight;
  private final Duration drainTimeout;
  private final ChannelConfig channel;

  private RpcConfig(Builder b) {
    this.service = b.service;
    this.heartbeatInterval = b.heartbeatInterval;
    this.livenessTimeout = b.livenessTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.connectAttempt = b.connectAttempt;
    this.reconnectDelay = b.reconnectDelay;
    this.maxStreamBuffer = b.maxStreamBuffer;
    this.maxCallsInFlight = b.maxCallsInFlight;
    this.drainTimeout = b.drainTimeout;
    this.channel = b.channel;
  }

  /** The defaults (see the table above). */
  public static RpcConfig defaults() {
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
   * The service name both sides announce in their hello ({@code fc-service}) and must agree on:
   * 1 to 128 characters of {@code A-Z a-z 0-9 . _ / -}. Default {@code default}.
   */
  public String service() {
    return service;
  }

  /**
   * After how long without writing this side sends a heartbeat on its stream (announced as
   * {@code fc-heartbeat}), so the peer can tell it is alive. {@link Duration#ZERO} sends none. Default 1 s.
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * How long this side waits without any record from the peer (a frame or a heartbeat) before it
   * declares the peer gone ({@link PeerGoneException.Reason#SILENT}). {@link Duration#ZERO} never does.
   * The handshake requires the peer's heartbeat interval to be at most half of it. Default 5 s.
   */
  public Duration livenessTimeout() {
    return livenessTimeout;
  }

  /** How long both hellos may take once the transport has connected. Default 10 s. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * How long one attempt of the transport's connect (client) or accept (responder) may wait before it
   * is retried; bounds how fast {@code close()} stops a waiting attempt. Default 1 s.
   */
  public Duration connectAttempt() {
    return connectAttempt;
  }

  /** The pause between a client's reconnect attempts after a failed one. Default 200 ms. */
  public Duration reconnectDelay() {
    return reconnectDelay;
  }

  /**
   * How many items of one server-streaming call a client buffers for its reader; beyond that the client
   * cancels the call ({@link RpcStatus#RESOURCE_EXHAUSTED}). Default 10 000.
   */
  public int maxStreamBuffer() {
    return maxStreamBuffer;
  }

  /**
   * How many calls one connection may have in flight at a responder; a call beyond it gets an error
   * reply {@link RpcStatus#RESOURCE_EXHAUSTED} without running. Default 10 000.
   */
  public int maxCallsInFlight() {
    return maxCallsInFlight;
  }

  /** How long {@link RpcResponder#close()} lets calls in flight finish. Default 10 s. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /**
   * The framing of both streams (checksums, frame limit, buffers, flush delay, close timeout). Its
   * heartbeat interval and liveness timeout are replaced by this configuration's.
   */
  public ChannelConfig channel() {
    return channel;
  }

  @Override
  public String toString() {
    return "RpcConfig{service=" + service + ", heartbeatInterval=" + heartbeatInterval + ", livenessTimeout="
        + livenessTimeout + ", handshakeTimeout=" + handshakeTimeout + ", connectAttempt=" + connectAttempt
        + ", reconnectDelay=" + reconnectDelay + ", maxStreamBuffer=" + maxStreamBuffer + ", maxCallsInFlight="
        + maxCallsInFlight + ", drainTimeout=" + drainTimeout + ", channel=" + channel + "}";
  }

  /** Builds an {@link RpcConfig}; every setter validates its argument at once. Not thread-safe. */
  public static final class Builder {
    private String service = "default";
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration livenessTimeout = Duration.ofSeconds(5);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration connectAttempt = Duration.ofSeconds(1);
    private Duration reconnectDelay = Duration.ofMillis(200);
    private int maxStreamBuffer = 10_000;
    private int maxCallsInFlight = 10_000;
    private Duration drainTimeout = Duration.ofSeconds(10);
    private ChannelConfig channel = ChannelConfig.defaults();

    private Builder() {}

    private Builder(RpcConfig c) {
      service = c.service;
      heartbeatInterval = c.heartbeatInterval;
      livenessTimeout = c.livenessTimeout;
      handshakeTimeout = c.handshakeTimeout;
      connectAttempt = c.connectAttempt;
      reconnectDelay = c.reconnectDelay;
      maxStreamBuffer = c.maxStreamBuffer;
      maxCallsInFlight = c.maxCallsInFlight;
      drainTimeout = c.drainTimeout;
      channel = c.channel;
    }

    /** @throws IllegalArgumentException unless 1 to 128 characters of {@code A-Z a-z 0-9 . _ / -} */
    public Builder service(String name) {
      Objects.requireNonNull(name, "service");
      if (!SERVICE.matcher(name).matches()) {
        throw new IllegalArgumentException("service must be 1 to 128 characters of A-Z a-z 0-9 . _ / -: '" + name + "'");
      }
      this.service = name;
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

    /** @throws IllegalArgumentException unless positive */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = positive("handshakeTimeout", timeout);
      return this;
    }

    /** @throws IllegalArgumentException unless positive */
    public Builder connectAttempt(Duration timeout) {
      this.connectAttempt = positive("connectAttempt", timeout);
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder reconnectDelay(Duration delay) {
      Objects.requireNonNull(delay, "reconnectDelay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("reconnectDelay must not be negative: " + delay);
      }
      this.reconnectDelay = capped(delay);
      return this;
    }

    /** @throws IllegalArgumentException if under 1 */
    public Builder maxStreamBuffer(int items) {
      if (items < 1) {
        throw new IllegalArgumentException("maxStreamBuffer must be at least 1: " + items);
      }
      this.maxStreamBuffer = items;
      return this;
    }

    /** @throws IllegalArgumentException if under 1 */
    public Builder maxCallsInFlight(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("maxCallsInFlight must be at least 1: " + calls);
      }
      this.maxCallsInFlight = calls;
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "drainTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + timeout);
      }
      this.drainTimeout = capped(timeout);
      return this;
    }

    /**
     * The framing of both streams.
     *
     * @throws IllegalArgumentException if it writes wire format 1.0 (request/response needs headers)
     */
    public Builder channel(ChannelConfig config) {
      Objects.requireNonNull(config, "channel");
      if (config.wireVersion() != dev.fifochan.WireVersion.V1_1) {
        throw new IllegalArgumentException("request/response needs wire format 1.1 (headers): " + config.wireVersion());
      }
      this.channel = config;
      return this;
    }

    /** The sealed configuration. */
    public RpcConfig build() {
      return new RpcConfig(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return capped(d);
    }

    private static Duration periodOrZero(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0)) {
        throw new IllegalArgumentException(what + " must be zero (off) or at least 1 ms: " + d);
      }
      return capped(d);
    }

    /** A duration longer than about 73 years is taken as 73 years (its nanoseconds, and sums of them, fit a long). */
    private static Duration capped(Duration d) {
      return d.compareTo(LONGEST) > 0 ? LONGEST : d;
    }
  }
}
