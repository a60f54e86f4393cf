package dev.fifochan.nats;

import dev.fifochan.MessageTooLongException;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One message's payload, in a reused growable heap buffer. Refuses a payload over the frame limit
 * ({@code FRAME}) or over the transport's message size ({@code TRANSPORT}) as soon as it gets there, so
 * an oversize message is refused while it is encoded, before anything is sent.
 */
final class PayloadBuffer extends PayloadSink {
  private final int maxFrameLength;
  private long maxTransport;
  private ByteBuffer buf;
  private final OutputStream stream = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      ensure(1).put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      PayloadBuffer.this.write(b, off, len);
    }
  };

  PayloadBuffer(int maxFrameLength, int initial) {
    this.maxFrameLength = maxFrameLength;
    this.buf = ByteBuffer.allocate(Math.max(256, initial));
  }

  /** Starts a new payload; {@code maxTransport} is what the transport message has room for (≤ 0: no limit). */
  void reset(long maxTransport) {
    this.maxTransport = maxTransport;
    buf.clear();
  }

  private ByteBuffer ensure(int more) throws MessageTooLongException {
    if (more < 0) {
      throw new IllegalArgumentException("negative size: " + more);
    }
    long after = (long) buf.position() + more;
    if (after > maxFrameLength) {
      throw new MessageTooLongException(after, maxFrameLength, MessageTooLongException.Limit.FRAME);
    }
    if (maxTransport > 0 && after > maxTransport) {
      throw new MessageTooLongException(after, maxTransport, MessageTooLongException.Limit.TRANSPORT, maxFrameLength);
    }
    if (buf.remaining() < more) {
      int cap = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(after, 2L * buf.capacity()));
      ByteBuffer bigger = ByteBuffer.allocate(cap);
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    return buf;
  }

  @Override
  public ByteBuffer room(int bytes) throws IOException {
    return ensure(bytes);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensure(len).put(b, off, len);
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    ensure(src.remaining()).put(src);
  }

  @Override
  public OutputStream asOutputStream() {
    return stream;
  }

  @Override
  public int written() {
    return buf.position();
  }

  /** The payload as a new array (jnats keeps the array until it is written). */
  byte[] copy() {
    return Arrays.copyOf(buf.array(), buf.position());
  }
}
