package dev.fifochan;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Hand-made wire bytes for decoder tests, written from the spec's layout (not with the library's
 * encoder), so that encoder and decoder are checked against the document, not against each other.
 */
public final class Wire {
  public static final int EOS = 0x01;
  public static final int CRC = 0x02;
  public static final int HEADERS = 0x04;
  public static final int ABORTED = 0x08;
  public static final int HEARTBEAT = 0x10;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public static Wire stream() {
    return new Wire();
  }

  public Wire preamble(int version, String codec) {
    byte[] name = codec.getBytes(StandardCharsets.ISO_8859_1);
    return raw(0x89, 0x46, 0x43, 0x48, version, name.length).raw(name);
  }

  /** A frame with the given flags; a CRC is appended when flags has CRC; {@code headerBlock} is written iff flags has HEADERS. */
  public Wire frame(int flags, byte[] tag, byte[] headerBlock, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.writeBytes(ByteBuffer.allocate(4).putInt(payload.length).array());
    f.write(flags);
    f.write(tag.length);
    f.writeBytes(tag);
    if ((flags & HEADERS) != 0) {
      f.write(headerBlock.length >>> 8);
      f.write(headerBlock.length);
      f.writeBytes(headerBlock);
    }
    f.writeBytes(payload);
    if ((flags & CRC) != 0) {
      CRC32C crc = new CRC32C();
      byte[] b = f.toByteArray();
      crc.update(b, 0, b.length);
      f.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
    return raw(f.toByteArray());
  }

  public Wire message(String tag, String payload) {
    return frame(0, utf8(tag), null, utf8(payload));
  }

  public Wire message(String payload) {
    return message("", payload);
  }

  public Wire end() {
    return frame(EOS, new byte[0], null, new byte[0]);
  }

  public Wire aborted(String reason) {
    return frame(EOS | ABORTED, new byte[0], null, utf8(reason));
  }

  public Wire heartbeat() {
    return frame(HEARTBEAT, new byte[0], null, new byte[0]);
  }

  public Wire raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  public Wire raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public int length() {
    return out.size();
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A header block from alternating keys and values (no validation: for malformed blocks too). */
  public static byte[] headerBlock(String... keysAndValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      byte[] k = keysAndValues[i].getBytes(StandardCharsets.ISO_8859_1);
      byte[] v = utf8(keysAndValues[i + 1]);
      b.write(k.length);
      b.writeBytes(k);
      b.write(v.length >>> 8);
      b.write(v.length);
      b.writeBytes(v);
    }
    return b.toByteArray();
  }
}
