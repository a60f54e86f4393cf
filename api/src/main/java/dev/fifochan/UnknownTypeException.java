package dev.fifochan;

import java.nio.ByteBuffer;

/** A frame's type tag names no type the reader's codec knows. The stream goes on with the next frame. */
public final class UnknownTypeException extends DecodeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param tag the unknown tag
   * @param payload the raw payload (copied)
   * @param position the frame's first byte, -1 if unknown
   */
  public UnknownTypeException(String tag, byte[] payload, long position) {
    super(tag, payload, position, null);
  }

  /** Like the array constructor, copying {@code payload}'s remaining bytes. */
  public UnknownTypeException(String tag, ByteBuffer payload, long position) {
    super(tag, payload, position, null);
  }

  @Override
  public String getMessage() {
    return "unknown type tag '" + tag() + "'" + at() + " (" + payloadLength() + " bytes): the reader's codec does not know it";
  }
}
