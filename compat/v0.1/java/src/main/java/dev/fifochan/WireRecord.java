package dev.fifochan;

import java.nio.ByteBuffer;

/**
 * One record read by a {@link FrameReader}: a preamble, a message frame, a writer's end-of-stream
 * frame, or the clean end of the whole stream. The reader reuses one instance: a record and its
 * {@link #payload()} are valid only until the next read.
 */
public final class WireRecord {

  /** What a record is. */
  public enum Kind {
    /** A writer introduced itself ({@link #codecName()}). */
    PREAMBLE,
    /** A message frame ({@link #tag()}, {@link #payload()}). */
    FRAME,
    /** A writer closed cleanly. */
    END_OF_STREAM,
    /** The transport ended cleanly: every writer sent its end-of-stream frame. */
    END
  }

  Kind kind;
  long offset;
  int flags;
  String tag = "";
  String codecName = "";
  ByteBuffer payload;
  int length;

  WireRecord() {}

  public Kind kind() {
    return kind;
  }

  /** Stream offset of the record's first byte (for {@link Kind#END}, of the end of file). */
  public long offset() {
    return offset;
  }

  /** The frame's flags byte (0 for a preamble). */
  public int flags() {
    return flags;
  }

  /** Whether the frame carried a (verified) CRC-32C. */
  public boolean hasChecksum() {
    return (flags & WireFormat.FLAG_CHECKSUM) != 0;
  }

  /** The frame's type tag, "" if none. */
  public String tag() {
    return tag;
  }

  /** The codec a preamble announces. */
  public String codecName() {
    return codecName;
  }

  /** The payload length in bytes. */
  public int length() {
    return length;
  }

  /** Total bytes the record occupies on the wire. */
  public int wireLength() {
    switch (kind) {
      case PREAMBLE:
        return WireFormat.PREAMBLE_HEADER_LENGTH + codecName.length();
      case END:
        return 0;
      default:
        return WireFormat.FRAME_HEADER_LENGTH + tagLength + length + (hasChecksum() ? WireFormat.CHECKSUM_LENGTH : 0);
    }
  }

  int tagLength;

  /** The payload: the bytes between the buffer's position and limit; read-only, valid until the next read. */
  public ByteBuffer payload() {
    return payload;
  }

  @Override
  public String toString() {
    switch (kind) {
      case PREAMBLE:
        return "preamble@" + offset + " codec=" + codecName;
      case FRAME:
        return "frame@" + offset + " flags=" + flags + " tag='" + tag + "' length=" + length;
      case END_OF_STREAM:
        return "end-of-stream@" + offset;
      default:
        return "end@" + offset;
    }
  }
}
