package dev.fifochan.micrometer;

import dev.fifochan.Codec;
import dev.fifochan.DecodeException;
import dev.fifochan.PayloadSink;
import dev.fifochan.UnknownTypeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Strings, with three ways to fail on purpose: {@code "unencodable"} cannot be encoded, a string starting
 * with {@code "?"} is written under the type tag {@code mystery} that the reader does not know, and a
 * payload {@code "undecodable"} cannot be decoded.
 */
final class TestCodec implements Codec<String> {
  @Override
  public String name() {
    return "test";
  }

  @Override
  public String tagOf(String value) {
    return value.startsWith("?") ? "mystery" : "";
  }

  @Override
  public void encode(String value, PayloadSink sink) throws IOException {
    if (value.equals("unencodable")) {
      throw new IllegalArgumentException("cannot encode this one");
    }
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    sink.write(b, 0, b.length);
  }

  @Override
  public String decode(String tag, ByteBuffer payload) throws IOException {
    if (tag.equals("mystery")) {
      throw new UnknownTypeException(tag, payload, -1);
    }
    byte[] b = new byte[payload.remaining()];
    payload.get(b);
    String s = new String(b, StandardCharsets.UTF_8);
    if (s.equals("undecodable")) {
      throw new DecodeException(tag, b, -1, new IllegalArgumentException("cannot decode this one"));
    }
    return s;
  }
}
