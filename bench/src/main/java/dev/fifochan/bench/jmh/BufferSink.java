package dev.fifochan.bench.jmh;

import dev.fifochan.PayloadSink;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A {@link PayloadSink} over one reused page-aligned direct buffer, as a sender's frame buffer is:
 * {@link #room} hands out the buffer itself, {@link #asOutputStream()} is one reused stream over it.
 * {@link #reset()} starts the next payload at the buffer's start. For the codec benchmarks.
 */
final class BufferSink extends PayloadSink {
  private final ByteBuffer buf;
  private final OutputStream stream = new OutputStream() {
    @Override
    public void write(int b) {
      buf.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buf.put(b, off, len);
    }
  };

  BufferSink(int capacity) {
    buf = ByteBuffer.allocateDirect(capacity + 4096).alignedSlice(4096);
  }

  void reset() {
    buf.clear();
  }

  @Override
  public ByteBuffer room(int bytes) {
    if (bytes < 0 || bytes > buf.remaining()) {
      throw new IllegalArgumentException("room " + bytes);
    }
    return buf;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    buf.put(b, off, len);
  }

  @Override
  public void write(ByteBuffer src) {
    buf.put(src);
  }

  @Override
  public OutputStream asOutputStream() {
    return stream;
  }

  @Override
  public int written() {
    return buf.position();
  }

  /** The payload written since {@link #reset()}, copied out. */
  byte[] toByteArray() {
    byte[] b = new byte[buf.position()];
    buf.duplicate().flip().get(b);
    return b;
  }
}
