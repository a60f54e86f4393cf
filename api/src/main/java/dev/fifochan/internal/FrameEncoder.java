package dev.fifochan.internal;

import static dev.fifochan.internal.FrameDescriptor.CHECKSUM_LENGTH;
import static dev.fifochan.internal.FrameDescriptor.FLAGS_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.FLAG_CHECKSUM;
import static dev.fifochan.internal.FrameDescriptor.FLAG_HEADERS;
import static dev.fifochan.internal.FrameDescriptor.LENGTH_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.MAGIC;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The wire format's encoder, without I/O: writes records into a buffer (heap or direct) at its
 * position ({@code docs/wire-format.md} §2.2). A message frame is written in two steps around its
 * payload: {@link #beginFrame} writes the header, tag and header block with a zero length, the caller
 * appends the payload, and {@link #endFrame} fills in the length and appends the CRC-32C. The caller
 * makes sure the buffer has room (every method here assumes it). Not thread-safe (it owns a CRC).
 */
public final class FrameEncoder {
  private final CRC32C crc = new CRC32C();
  private ByteBuffer crcView;
  private ByteBuffer crcViewOf;

  /** Bytes of a preamble announcing a codec name of {@code codecLength} bytes. */
  public static int preambleLength(int codecLength) {
    return FrameDescriptor.preambleLength(codecLength);
  }

  /** Bytes of a frame's head: header, tag and header block (with its length field), before the payload. */
  public static int headLength(int tagLength, byte[] headerBlock) {
    return FrameDescriptor.FRAME_HEADER_LENGTH + tagLength
        + (headerBlock != null ? FrameDescriptor.HEADERS_LENGTH_FIELD + headerBlock.length : 0);
  }

  /** Writes a preamble: magic, version byte, codec name (ASCII, 1..64 bytes, already validated). */
  public void putPreamble(ByteBuffer b, int versionByte, byte[] codecAscii) {
    b.putInt(MAGIC).put((byte) versionByte).put((byte) codecAscii.length).put(codecAscii);
  }

  /**
   * Writes a frame's head with a zero length: flags ({@code CHECKSUM} if {@code checksum},
   * {@code HEADERS} if {@code headerBlock} is not null), the tag and the header block.
   *
   * @return the frame's start index in {@code b}, for {@link #endFrame}
   */
  public int beginFrame(ByteBuffer b, boolean checksum, byte[] tag, byte[] headerBlock) {
    int start = b.position();
    int flags = (checksum ? FLAG_CHECKSUM : 0) | (headerBlock != null ? FLAG_HEADERS : 0);
    b.putInt(0).put((byte) flags).put((byte) tag.length).put(tag);
    if (headerBlock != null) {
      b.putShort((short) headerBlock.length).put(headerBlock);
    }
    return start;
  }

  /**
   * Completes the frame that starts at {@code start} and whose payload ends at {@code b}'s position:
   * writes the payload length and, if the frame's flags say so, appends the CRC-32C.
   */
  public void endFrame(ByteBuffer b, int start, int payloadLength) {
    b.putInt(start + LENGTH_OFFSET, payloadLength);
    if ((b.get(start + FLAGS_OFFSET) & FLAG_CHECKSUM) != 0) {
      appendChecksum(b, start);
    }
  }

  /**
   * Writes a control record (end of stream, aborted end, heartbeat): {@code flags} plus
   * {@code CHECKSUM} if {@code checksum}, no tag, and {@code len} payload bytes from {@code payload}.
   */
  public void putControl(ByteBuffer b, int flags, boolean checksum, byte[] payload, int len) {
    int start = b.position();
    int f = flags | (checksum ? FLAG_CHECKSUM : 0);
    b.putInt(len).put((byte) f).put((byte) 0);
    if (len > 0) {
      b.put(payload, 0, len);
    }
    if (checksum) {
      appendChecksum(b, start);
    }
  }

  /** Bytes of a control record with {@code len} payload bytes. */
  public static int controlLength(boolean checksum, int len) {
    return FrameDescriptor.FRAME_HEADER_LENGTH + len + (checksum ? CHECKSUM_LENGTH : 0);
  }

  private void appendChecksum(ByteBuffer b, int start) {
    if (crcViewOf != b) {
      crcViewOf = b;
      crcView = b.duplicate();
    }
    crcView.limit(b.position()).position(start);
    crc.reset();
    crc.update(crcView);
    b.putInt((int) crc.getValue());
  }
}
