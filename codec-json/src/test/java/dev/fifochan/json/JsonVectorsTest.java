package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fifochan.ChannelConfig;
import dev.fifochan.DecodeException;
import dev.fifochan.Receiver;
import dev.fifochan.StreamException;
import dev.fifochan.UnknownTypeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shared vector whose reader codec is {@code json} (testdata/vectors/README.md): each frame
 * without an {@code error} decodes to its {@code value} (compared by the JSON data model), each
 * {@code undecodable} frame fails, and a receiver over the whole stream delivers exactly those values
 * and dead-letters exactly those frames. (Framing, outcomes and re-encoding are checked in the api.)
 */
class JsonVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Numbers compare by value (1 and 1.0 are the same JSON number). */
  private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  static Stream<String> vectors() throws IOException {
    Path dir = JsonVectorTest.repoRoot().resolve("testdata/vectors");
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".json")).sorted()::iterator) {
        JsonNode v = JSON.readTree(p.toFile());
        if (v.has("reader") && v.get("reader").get("codec").asText().equals("json")) {
          String n = p.getFileName().toString();
          names.add(n.substring(0, n.length() - 5));
        }
      }
    }
    assertTrue(names.contains("json-decoding"), "the json vectors: " + names);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void framesDecodeToTheirValuesOrFailAsTheVectorSays(String name) throws IOException {
    Path dir = JsonVectorTest.repoRoot().resolve("testdata/vectors");
    JsonNode v = JSON.readTree(dir.resolve(name + ".json").toFile());
    List<JsonNode> delivered = new ArrayList<>();
    int failures = 0;
    for (JsonNode r : v.get("records")) {
      if (!r.get("kind").asText().equals("frame")) {
        continue;
      }
      if (r.has("error") && (r.get("error").asText().equals("bad_tag") || r.get("error").asText().equals("bad_headers"))) {
        failures++;
        continue; // framing-level: the api's tests
      }
      byte[] payload = HexFormat.of().parseHex(r.get("payload_hex").asText());
      String tag = r.has("tag") ? r.get("tag").asText() : "";
      for (ByteBuffer b : List.of(ByteBuffer.wrap(payload), direct(payload))) {
        if (r.has("error")) {
          Exception e = assertThrows(Exception.class, () -> JsonCodec.tree().decode(tag, b), name + " at " + r.get("offset"));
          if (r.get("error").asText().equals("unknown_type")) {
            assertInstanceOf(UnknownTypeException.class, e);
          }
        } else {
          JsonNode value = JsonCodec.tree().decode(tag, b);
          assertTrue(r.get("value").equals(BY_VALUE, value), name + " at " + r.get("offset") + ": " + value + " vs " + r.get("value"));
        }
      }
      if (r.has("error")) {
        failures++;
      } else {
        delivered.add(r.get("value"));
      }
    }
    // The same through a receiver: values delivered, failures dead-lettered, the stream goes on.
    List<DecodeException> dead = new ArrayList<>();
    ChannelConfig config = ChannelConfig.builder().maxFrameLength(v.get("reader").get("max_frame_length").asInt())
        .deadLetters(dead::add).build();
    byte[] bin = Files.readAllBytes(dir.resolve(name + ".bin"));
    try (Receiver<JsonNode> rx = Receiver.over(Channels.newChannel(new ByteArrayInputStream(bin)), JsonCodec.tree(), config)) {
      for (JsonNode want : delivered) {
        JsonNode got;
        try {
          got = rx.receive();
        } catch (StreamException e) {
          break; // the outcome (e.g. an aborted end) is the api's to check
        }
        assertNotNull(got, name);
        assertTrue(want.equals(BY_VALUE, got), name + ": " + got + " vs " + want);
      }
      try {
        while (rx.receive() != null) {
          // drain to the end
        }
      } catch (StreamException e) {
        // as above
      }
    }
    assertEquals(failures, dead.size(), name + ": dead letters " + dead);
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b.asReadOnlyBuffer();
  }
}
