package dev.fifochan.internal;

import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.InboundRecord;
import java.nio.ByteBuffer;

/**
 * The one reused record a {@link FrameDecoder} returns: valid, with its headers and payload views,
 * until the decoder's next call. It is also the {@link FrameHandler.Frame} handed to frame handlers,
 * so the zero-copy receive path needs no wrapper.
 */
public final class DecodedRecord implements InboundRecord, FrameHandler.Frame {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  Kind kind;
  long position;
  String codecName = "";
  WireVersion wireVersion;
  int flags;
  String tag = "";
  Headers headers = Headers.empty();
  ByteBuffer payload = EMPTY;
  String abortReason;
  int wireLength;
  MalformedFrameException malformation;
  /** Where the tag and the header block lie, for tools that show them raw. */
  ByteBuffer raw;
  int rawTagAt;
  int rawTagLength;
  int rawHeadersAt;
  int rawHeadersLength = -1;

  DecodedRecord() {}

  void reset(Kind kind, long position, int flags, int wireLength) {
    this.kind = kind;
    this.position = position;
    this.flags = flags;
    this.wireLength = wireLength;
    this.tag = "";
    this.headers = Headers.empty();
    this.payload = EMPTY;
    this.abortReason = null;
    this.malformation = null;
    this.raw = null;
    this.rawTagLength = 0;
    this.rawHeadersLength = -1;
  }

  /** A copy of a frame's tag bytes as they arrived. */
  public byte[] rawTag() {
    byte[] b = new byte[rawTagLength];
    if (rawTagLength > 0) {
      raw.get(rawTagAt, b);
    }
    return b;
  }

  /** A copy of a frame's header block as it arrived; null if the frame has no HEADERS flag. */
  public byte[] rawHeaderBlock() {
    if (rawHeadersLength < 0) {
      return null;
    }
    byte[] b = new byte[rawHeadersLength];
    raw.get(rawHeadersAt, b);
    return b;
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
    return codecName;
  }

  @Override
  public WireVersion wireVersion() {
    return wireVersion;
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
    return flags;
  }

  @Override
  public String abortReason() {
    return abortReason;
  }

  @Override
  public int wireLength() {
    return wireLength;
  }

  /**
   * For a {@link Kind#FRAME} whose tag or header block breaks a content rule: the per-message failure
   * (the frame is consumed; the stream goes on). Null for a well-formed record.
   */
  public MalformedFrameException malformation() {
    return malformation;
  }

  /** The payload length in bytes. */
  public int payloadLength() {
    return payload.remaining();
  }

  @Override
  public String toString() {
    return kind + "@" + position + " flags=" + flags + " tag='" + tag + "' length=" + payload.remaining()
        + (abortReason != null ? " reason=" + abortReason : "") + (malformation != null ? " " + malformation.reason() : "");
  }
}
