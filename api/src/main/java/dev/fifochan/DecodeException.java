package dev.fifochan;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A well-framed payload could not be decoded. The frame was consumed and the stream is intact: the
 * next receive returns the next frame. Carries the type tag and a copy of the raw payload so that the
 * message can be logged or dead-lettered ({@link ChannelConfig#deadLetters()}); the codec's own
 * explanation is the {@link #getCause() cause}.
 */
public class DecodeException extends MessageException {
  private static final long serialVersionUID = 1L;
  private final String tag;
  private final byte[] payload;

  /**
   * @param tag the frame's type tag ("" if none)
   * @param payload the raw payload; this exception keeps a copy
   * @param position the frame's first byte, -1 if unknown (a codec does not know it; the receiver does)
   * @param cause the codec's failure, or null
   */
  public DecodeException(String tag, byte[] payload, long position, Throwable cause) {
    super(position, cause);
    this.tag = Objects.requireNonNull(tag, "tag");
    this.payload = payload.clone();
  }

  /** Like the array constructor, copying {@code payload}'s remaining bytes without moving its position. */
  public DecodeException(String tag, ByteBuffer payload, long position, Throwable cause) {
    this(tag, copy(payload), position, cause);
  }

  /** The frame's type tag ("" when the channel carries one type). */
  public String tag() {
    return tag;
  }

  /** A copy of the frame's payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload length in bytes. */
  public int payloadLength() {
    return payload.length;
  }

  @Override
  public String getMessage() {
    Throwable c = getCause();
    return "undecodable payload" + at() + " (" + describeFrame() + ")" + (c == null ? "" : ": " + c.getMessage());
  }

  String describeFrame() {
    return (tag.isEmpty() ? "no tag" : "tag '" + tag + "'") + ", " + payload.length + " bytes";
  }

  static byte[] copy(ByteBuffer payload) {
    ByteBuffer p = payload.duplicate();
    byte[] bytes = new byte[p.remaining()];
    p.get(bytes);
    return bytes;
  }
}
