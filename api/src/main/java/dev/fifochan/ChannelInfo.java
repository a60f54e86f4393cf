package dev.fifochan;

import java.util.Objects;

/**
 * Which channel a {@link ChannelInterceptor} is called for: its name, direction, codec, transport and
 * wire format version. Immutable. A sender passes the same instance for every call; a receiver one
 * per wire version (it changes when a following or fan-in receiver reads a writer of the other
 * version), so interceptors may cache per instance or compare with {@code equals}.
 */
public final class ChannelInfo {

  /** Which way the messages go. */
  public enum Direction {
    /** A {@link Sender}. */
    SEND,
    /** A {@link Receiver}. */
    RECEIVE
  }

  private final String name;
  private final Direction direction;
  private final String codecName;
  private final String transport;
  private final WireVersion wireVersion;

  private ChannelInfo(String name, Direction direction, String codecName, String transport, WireVersion wireVersion) {
    this.name = Objects.requireNonNull(name, "name");
    this.direction = Objects.requireNonNull(direction, "direction");
    this.codecName = Objects.requireNonNull(codecName, "codecName");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.wireVersion = wireVersion;
  }

  /**
   * A channel identity (senders and receivers make their own; this is for tests of interceptors).
   *
   * @param wireVersion may be null only for {@link Direction#RECEIVE} before any writer session started
   */
  public static ChannelInfo of(String name, Direction direction, String codecName, String transport, WireVersion wireVersion) {
    if (wireVersion == null && direction == Direction.SEND) {
      throw new IllegalArgumentException("a sender always has a wire version");
    }
    return new ChannelInfo(name, direction, codecName, transport, wireVersion);
  }

  /** The same channel with another wire version (a receiver reading a writer of that version). */
  ChannelInfo withWireVersion(WireVersion v) {
    return v == wireVersion ? this : new ChannelInfo(name, direction, codecName, transport, v);
  }

  /** The end's name: {@link ChannelConfig#name()}, or the transport's description. */
  public String name() {
    return name;
  }

  /** Whether this is a sender or a receiver. */
  public Direction direction() {
    return direction;
  }

  /** The name of the end's codec ({@link Codec#name()}), e.g. {@code json}. */
  public String codecName() {
    return codecName;
  }

  /** The transport end's description, e.g. {@code write end of FIFO /run/app/orders}. */
  public String transport() {
    return transport;
  }

  /**
   * For a sender: the wire format it writes ({@link ChannelConfig#wireVersion()}). For a receiver: the
   * version the writer session it read last announced (in a fan-in stream sessions may differ); null
   * only before any writer session started.
   */
  public WireVersion wireVersion() {
    return wireVersion;
  }

  /**
   * Whether frames of this channel can carry headers: wire format 1.1. A sender in wire format 1.0
   * drops the headers an interceptor returns from {@link ChannelInterceptor#beforeSend} without an
   * error (a 1.0 reader could not read them); an interceptor can check this instead of building them.
   */
  public boolean headersAllowed() {
    return wireVersion == WireVersion.V1_1;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ChannelInfo)) {
      return false;
    }
    ChannelInfo c = (ChannelInfo) o;
    return name.equals(c.name) && direction == c.direction && codecName.equals(c.codecName) && transport.equals(c.transport)
        && wireVersion == c.wireVersion;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, direction, codecName, transport, wireVersion);
  }

  @Override
  public String toString() {
    return "ChannelInfo[" + name + ", " + direction + ", codec " + codecName + ", " + transport + ", wire format "
        + wireVersion + "]";
  }
}
