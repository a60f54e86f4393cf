package dev.fifochan.rpc;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * UTF-8 strings under any codec name (for handshake tests), and a way to send what the {@code string}
 * codec cannot: a {@link Raw} value is written as its bytes (invalid UTF-8 included) with its tag.
 */
final class NamedStringCodec implements Codec<Object> {
  private final String name;

  NamedStringCodec(String name) {
    this.name = name;
  }

  /** A payload sent as it is, with a type tag. */
  static final class Raw {
    final String tag;
    final byte[] bytes;

    Raw(String tag, byte[] bytes) {
      this.tag = tag;
      this.bytes = bytes;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String tagOf(Object value) {
    return value instanceof Raw ? ((Raw) value).tag : "";
  }

  @Override
  public void encode(Object value, PayloadSink sink) throws IOException {
    if (value instanceof Raw) {
      sink.write(((Raw) value).bytes);
    } else {
      Codecs.string().encode((String) value, sink);
    }
  }

  @Override
  public Object decode(String tag, ByteBuffer payload) throws IOException {
    return Codecs.string().decode(tag, payload);
  }
}
