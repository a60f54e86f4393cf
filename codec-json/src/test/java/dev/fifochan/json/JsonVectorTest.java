package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.DecodeException;
import dev.fifochan.MessageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The normative vector {@code testdata/vectors/json-multitype}: decode each payload, re-encode it byte for byte. */
class JsonVectorTest {
  record Order(long id, String item, int qty) {}

  record Cancel(long id, String reason) {}

  record Frame(long offset, String tag, byte[] payload, JsonNode value) {}

  private static final ObjectMapper COMPACT = new ObjectMapper();
  private static List<Frame> frames;
  private static byte[] stream;

  static Path repoRoot() {
    String env = System.getenv("FIFOCHAN_REPO_ROOT");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
  }

  @BeforeAll
  static void load() throws IOException {
    Path dir = repoRoot().resolve("testdata/vectors");
    JsonNode doc = COMPACT.readTree(dir.resolve("json-multitype.json").toFile());
    stream = Files.readAllBytes(dir.resolve("json-multitype.bin"));
    frames = new ArrayList<>();
    for (JsonNode r : doc.get("records")) {
      if (r.get("kind").asText().equals("frame")) {
        frames.add(new Frame(r.get("offset").asLong(), r.get("tag").asText(),
            HexFormat.of().parseHex(r.get("payload_hex").asText()), r.get("value")));
      }
    }
    assertEquals(3, frames.size(), "frames in the vector");
  }

  private static <T> byte[] encode(Codec<T> codec, T value) throws IOException {
    return Codecs.encodeToBytes(codec, value);
  }

  @Test
  void payloadsAreWhereTheStreamHasThem() {
    for (Frame f : frames) {
      int start = (int) f.offset() + 6 + f.tag().getBytes(StandardCharsets.UTF_8).length;
      assertArrayEquals(f.payload(), Arrays.copyOfRange(stream, start, start + f.payload().length), f.tag());
    }
  }

  @Test
  void everyPayloadDecodesToItsValueAndReencodesByteForByte() throws IOException {
    for (Frame f : frames) {
      for (ByteBuffer payload : List.of(ByteBuffer.wrap(f.payload()), direct(f.payload()))) {
        JsonNode decoded = JsonCodec.tree().decode(f.tag(), payload);
        assertEquals(f.value(), decoded, "frame at " + f.offset());
        assertArrayEquals(f.payload(), encode(JsonCodec.tree(), decoded), "frame at " + f.offset());
      }
    }
  }

  @Test
  void typedFramesDecodeToTheirTagsClassesAndReencodeByteForByte() throws IOException {
    Codec<Object> codec = JsonCodec.builder().mapper(COMPACT)
        .register("order", Order.class)
        .register("cancel", Cancel.class)
        .build();
    Frame order = frames.get(0);
    Frame cancel = frames.get(1);
    assertEquals(new Order(1, "book", 2), codec.decode(order.tag(), ByteBuffer.wrap(order.payload())));
    assertEquals(new Cancel(1, "changed mind"), codec.decode(cancel.tag(), direct(cancel.payload())));
    assertArrayEquals(order.payload(), encode(codec, new Order(1, "book", 2)));
    assertArrayEquals(cancel.payload(), encode(codec, new Cancel(1, "changed mind")));
    assertEquals("order", codec.tagOf(new Order(1, "book", 2)));
    assertEquals("cancel", codec.tagOf(new Cancel(1, "changed mind")));
  }

  @Test
  void theThirdFrameIsAnArrayUnderTheTagOrderSoATypedCodecRejectsIt() {
    // The vector tags a JSON array "order": a codec that maps "order" to a class cannot decode it,
    // and says so recoverably with the payload attached.
    Frame array = frames.get(2);
    assertTrue(array.value().isArray());
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).build();
    DecodeException e = assertThrows(DecodeException.class,
        () -> codec.decode(array.tag(), ByteBuffer.wrap(array.payload())));
    assertArrayEquals(array.payload(), e.payload());
    assertInstanceOf(MessageException.class, e, "a per-message failure");
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b.asReadOnlyBuffer();
  }
}
