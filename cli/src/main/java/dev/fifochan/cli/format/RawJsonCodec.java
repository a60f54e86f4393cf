package dev.fifochan.cli.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.fifochan.Codec;
import dev.fifochan.DecodeException;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@code json} codec as the CLI needs it: payloads stay the bytes they were, but each one is
 * checked to be exactly one JSON value (with a streaming parser, no tree is built). Frames are
 * tagged with {@link RawJson#tag()}. Interoperates with {@code dev.fifochan.json.JsonCodec}.
 */
public final class RawJsonCodec implements Codec<RawJson> {
  private static final JsonFactory FACTORY = new JsonFactory();

  @Override
  public String name() {
    return "json";
  }

  @Override
  public boolean accepts(String writerCodec) {
    return "json".equals(writerCodec);
  }

  @Override
  public String tagOf(RawJson value) {
    return value.tag();
  }

  @Override
  public void encode(RawJson value, PayloadSink sink) throws IOException {
    sink.write(value.bytes());
  }

  @Override
  public RawJson decode(String tag, ByteBuffer payload) throws IOException {
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    String problem = check(bytes);
    if (problem != null) {
      throw new DecodeException(tag, bytes, -1, new IOException("not one JSON value: " + problem));
    }
    return new RawJson(tag, bytes);
  }

  /** Null if {@code bytes} is exactly one JSON value (whitespace around it allowed), else why not. */
  public static String check(byte[] bytes) {
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
      return "a byte-order mark, which JSON payloads must not start with";
    }
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() == null) {
        return "empty";
      }
      p.skipChildren();
      JsonToken extra = p.nextToken();
      return extra == null ? null : "more than one value (the next starts at column "
          + p.currentTokenLocation().getColumnNr() + ")";
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage() + " at column " + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr());
    } catch (IOException e) {
      return e.getMessage();
    }
  }
}
