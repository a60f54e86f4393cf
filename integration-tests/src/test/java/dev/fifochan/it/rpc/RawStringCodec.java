package dev.fifochan.it.rpc;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * UTF-8 strings under any codec name (a codec mismatch needs a second name), and raw payload bytes:
 * a {@code byte[]} value is sent as it is, so a request the Go responder cannot decode (invalid UTF-8)
 * can be sent.
 */
final class RawStringCodec implements Codec<Object> {
  private final String name;

  RawStringCodec(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void encode(Object value, PayloadSink sink) throws IOException {
    if (value instanceof byte[]) {
      sink.write((byte[]) value);
    } else {
      Codecs.string().encode((String) value, sink);
    }
  }

  @Override
  public Object decode(String tag, ByteBuffer payload) throws IOException {
    return Codecs.string().decode(tag, payload);
  }
}
