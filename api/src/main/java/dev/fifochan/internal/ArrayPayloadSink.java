package dev.fifochan.internal;

import dev.fifochan.MessageTooLongException;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/** A {@link PayloadSink} into a growing heap buffer, for encoding a payload outside a sender. */
public final class ArrayPayloadSink extends PayloadSink {
  private final int maxLength;
  private ByteBuffer buf = ByteBuffer.allocate(256);
  private final OutputStream stream = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      room(1).put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ArrayPayloadSink.this.write(b, off, len);
    }
  };

  /** @param maxLength the longest payload accepted, in bytes */
  public ArrayPayloadSink(int maxLength) {
    this.maxLength = maxLength;
  }

  @Override
  public ByteBuffer room(int bytes) throws IOException {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative room: " + bytes);
    }
    long after = (long) buf.position() + bytes;
    if (after > maxLength) {
      throw new MessageTooLongException(after, maxLength, MessageTooLongException.Limit.FRAME);
    }
    if (buf.remaining() < bytes) {
      ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, Math.max(after, 2L * buf.capacity())));
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    return buf;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    room(len).put(b, off, len);
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    room(src.remaining()).put(src);
  }

  @Override
  public OutputStream asOutputStream() {
    return stream;
  }

  @Override
  public int written() {
    return buf.position();
  }

  /** A copy of the payload written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf.array(), buf.position());
  }
}
