package dev.fifochan;

import java.nio.ByteBuffer;

/**
 * A well-framed payload could not be decoded. The frame has been consumed and the stream is intact:
 * the next receive returns the next frame. Carries the type tag and a copy of the raw payload so the
 * message can be logged or dead-lettered.
 */
public class DecodeException extends StreamException {
  private static final long serialVersionUID = 1L;
  private final String tag;
  private final byte[] payload;

  public DecodeException(String message, String tag, byte[] payload, long offset, Throwable cause) {
    super(message + " [tag '" + tag + "', " + payload.length + " bytes]", offset, cause);
    this.tag = tag;
    this.payload = payload;
  }

  /** Creates an exception for a payload seen as a buffer, copying its remaining bytes. */
  public static DecodeException of(String message, String tag, ByteBuffer payload, long offset, Throwable cause) {
    ByteBuffer copy = payload.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new DecodeException(message, tag, bytes, offset, cause);
  }

  /** The frame's type tag ("" when the channel carries one type). */
  public String tag() {
    return tag;
  }

  /** A copy of the frame's payload. */
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
