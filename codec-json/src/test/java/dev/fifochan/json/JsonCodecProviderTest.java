package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fifochan.Codec;
import dev.fifochan.CodecProvider;
import dev.fifochan.Codecs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JsonCodecProviderTest {

  @Test
  void serviceLoaderFindsTheJsonProvider() {
    boolean found = ServiceLoader.load(CodecProvider.class).stream()
        .anyMatch(p -> p.type() == JsonCodecProvider.class);
    assertTrue(found);
    assertInstanceOf(JsonCodecProvider.class, Codecs.providers().get("json"));
  }

  @Test
  void codecsByNameJsonGivesTheTreeCodec() throws IOException {
    Codec<?> codec = Codecs.byName("json", Map.of());
    assertEquals("json", codec.name());
    assertSame(JsonCodec.tree(), codec);
    Object value = codec.decode("", ByteBuffer.wrap("{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, ((JsonNode) value).get("n").intValue());
  }

  @Test
  void providerRejectsOptions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new JsonCodecProvider().create(Map.of("type", "x")));
    assertTrue(e.getMessage().contains("type"), e.getMessage());
  }
}
