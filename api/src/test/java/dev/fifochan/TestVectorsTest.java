package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks every shared test vector in testdata/vectors byte for byte (wire format §8). */
class TestVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Class<? extends StreamException>> ERRORS = Map.of(
      "truncated", TruncatedStreamException.class,
      "corrupt", CorruptFrameException.class,
      "checksum", ChecksumMismatchException.class,
      "too_long", FrameTooLongException.class,
      "incompatible", IncompatibleStreamException.class);

  static Stream<String> vectors() throws IOException {
    Path dir = TestChannels.repoRoot().resolve("testdata/vectors");
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .forEach(n -> names.add(n.substring(0, n.length() - 5)));
    }
    assertTrue(names.size() >= 20, "expected the full vector set, found " + names);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decodesEveryVectorToItsRecordsWhateverTheReadSize(String name) throws IOException {
    Path dir = TestChannels.repoRoot().resolve("testdata/vectors");
    byte[] bin = Files.readAllBytes(dir.resolve(name + ".bin"));
    JsonNode expected = JSON.readTree(dir.resolve(name + ".json").toFile());
    for (int chunk : new int[] {1, 3, 7, 4096, Integer.MAX_VALUE}) {
      for (int bufferSize : new int[] {4096, 256 * 1024}) {
        checkDecode(name + " chunk=" + chunk + " buffer=" + bufferSize, bin, expected, chunk, bufferSize);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reencodesEveryCleanVectorByteForByte(String name) throws IOException {
    Path dir = TestChannels.repoRoot().resolve("testdata/vectors");
    JsonNode expected = JSON.readTree(dir.resolve(name + ".json").toFile());
    if (!"clean".equals(expected.get("outcome").get("status").asText())) {
      return;
    }
    byte[] bin = Files.readAllBytes(dir.resolve(name + ".bin"));
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    // One writer per preamble, as many as are open at once (fan-in vectors interleave two).
    List<FrameWriter> open = new ArrayList<>();
    int next = 0;
    for (JsonNode r : expected.get("records")) {
      switch (r.get("kind").asText()) {
        case "preamble": {
          FrameWriter w = new FrameWriter(sink, ChannelConfig.defaults());
          w.writePreamble(r.get("codec").asText());
          w.drain(-1);
          open.add(w);
          break;
        }
        case "frame": {
          FrameWriter w = open.get(next % open.size());
          next++;
          w.checksum((r.get("flags").asInt() & WireFormat.FLAG_CHECKSUM) != 0);
          w.beginFrame(r.get("tag").asText().getBytes(StandardCharsets.UTF_8))
              .write(HexFormat.of().parseHex(r.get("payload_hex").asText()));
          assertTrue(w.endFrame(-1));
          w.drain(-1);
          break;
        }
        case "end": {
          FrameWriter w = open.get(next % open.size());
          w.checksum((r.get("flags").asInt() & WireFormat.FLAG_CHECKSUM) != 0);
          w.writeEndOfStream();
          w.drain(-1);
          open.remove(w);
          break;
        }
        default:
          fail("unknown record kind " + r);
      }
    }
    assertArrayEquals(bin, sink.toByteArray(), name);
  }

  private static void checkDecode(String label, byte[] bin, JsonNode expected, int chunk, int bufferSize) throws IOException {
    int max = expected.get("max_frame_length").asInt();
    FrameReader reader = new FrameReader(TestChannels.chunked(bin, chunk), max, bufferSize, null);
    JsonNode outcome = expected.get("outcome");
    List<JsonNode> records = new ArrayList<>();
    expected.get("records").forEach(records::add);
    int i = 0;
    while (true) {
      WireRecord r;
      try {
        r = reader.next();
      } catch (StreamException e) {
        assertEquals("error", outcome.get("status").asText(), label + ": unexpected " + e);
        assertEquals(records.size(), i, label + ": failed before all records were read: " + e);
        Class<? extends StreamException> type = ERRORS.get(outcome.get("error").asText());
        assertInstanceOf(type, e, label);
        if (type == CorruptFrameException.class) {
          assertTrue(!(e instanceof ChecksumMismatchException), label + ": corrupt, not checksum: " + e);
        }
        assertEquals(outcome.get("offset").asLong(), e.offset(), label + ": " + e.getMessage());
        StreamException again = assertThrows(StreamException.class, reader::next);
        assertEquals(e, again, label + ": a failed reader keeps failing the same way");
        return;
      }
      assertNotNull(r, label);
      if (r.kind() == WireRecord.Kind.END) {
        assertEquals("clean", outcome.get("status").asText(), label);
        assertEquals(records.size(), i, label + ": ended early");
        assertEquals(bin.length, r.offset(), label);
        return;
      }
      JsonNode e = records.get(i++);
      assertEquals(e.get("offset").asLong(), r.offset(), label + " record " + i);
      switch (e.get("kind").asText()) {
        case "preamble":
          assertEquals(WireRecord.Kind.PREAMBLE, r.kind(), label);
          assertEquals(e.get("codec").asText(), r.codecName(), label);
          break;
        case "frame": {
          assertEquals(WireRecord.Kind.FRAME, r.kind(), label);
          assertEquals(e.get("flags").asInt(), r.flags(), label);
          assertEquals(e.get("tag").asText(), r.tag(), label);
          ByteBuffer p = r.payload().duplicate();
          byte[] payload = new byte[p.remaining()];
          p.get(payload);
          assertEquals(e.get("payload_hex").asText(), HexFormat.of().formatHex(payload), label);
          JsonNode value = e.get("value");
          if (value != null && value.isTextual() && "string".equals(codecOf(records, i))) {
            assertEquals(value.asText(), Codecs.string().decode(r.tag(), r.payload().duplicate()), label);
          }
          break;
        }
        case "end":
          assertEquals(WireRecord.Kind.END_OF_STREAM, r.kind(), label);
          assertEquals(e.get("flags").asInt(), r.flags(), label);
          break;
        default:
          fail(label + ": unknown record kind " + e);
      }
    }
  }

  private static String codecOf(List<JsonNode> records, int upTo) {
    String codec = null;
    for (int j = 0; j < upTo; j++) {
      if ("preamble".equals(records.get(j).get("kind").asText())) {
        codec = records.get(j).get("codec").asText();
      }
    }
    return codec;
  }
}
