package dev.fifochan.json;

import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** A payload sink that hands a codec a given stream, to watch what the codec does to it. */
final class StreamSink extends PayloadSink {
  private final OutputStream out;

  private StreamSink(OutputStream out) {
    this.out = out;
  }

  static StreamSink of(OutputStream out) {
    return new StreamSink(out);
  }

  @Override
  public ByteBuffer room(int bytes) {
    throw new UnsupportedOperationException("a stream sink");
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    byte[] b = new byte[src.remaining()];
    src.get(b);
    out.write(b);
  }

  @Override
  public OutputStream asOutputStream() {
    return out;
  }

  @Override
  public int written() {
    return -1;
  }
}
