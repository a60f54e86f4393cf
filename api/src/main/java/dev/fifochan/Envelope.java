package dev.fifochan;

import java.util.Objects;

/**
 * A received message with what came with it: its headers, type tag and position. Immutable (the
 * headers are a copy).
 *
 * @param <T> the type of the value
 */
public final class Envelope<T> {
  private final T value;
  private final Headers headers;
  private final String tag;
  private final long position;

  /**
   * @param value the decoded value
   * @param headers the frame's headers (immutable)
   * @param tag the frame's type tag, "" if none
   * @param position the frame's first byte in its reader session
   */
  public Envelope(T value, Headers headers, String tag, long position) {
    this.value = Objects.requireNonNull(value, "value");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.tag = Objects.requireNonNull(tag, "tag");
    this.position = position;
  }

  /** The decoded value. */
  public T value() {
    return value;
  }

  /** The frame's headers; {@link Headers#empty()} if it had none. */
  public Headers headers() {
    return headers;
  }

  /** The frame's type tag, "" if none. */
  public String tag() {
    return tag;
  }

  /** Position of the frame's first byte in its reader session. */
  public long position() {
    return position;
  }

  @Override
  public String toString() {
    return "Envelope[" + value + ", headers=" + headers + ", tag='" + tag + "', position=" + position + "]";
  }
}
