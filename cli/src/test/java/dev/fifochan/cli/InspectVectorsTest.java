package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code inspect --json} over every test vector reports exactly the records and outcome of the
 * vector's {@code .json} twin (in-process; the black-box variant is {@code InspectIT}).
 */
@Timeout(30)
class InspectVectorsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static Stream<Path> vectors() throws IOException {
    Path dir = InProcess.repoRoot().resolve("testdata/vectors");
    List<Path> bins = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.toString().endsWith(".bin")).sorted().forEach(bins::add);
    }
    return bins.stream();
  }

  @Test
  void thereAreVectors() throws IOException {
    assertTrue(vectors().count() >= 20, "expected the test vectors in testdata/vectors");
  }

  /** The descriptor set of testdata/proto/interop.proto that the build generates (protobuf vectors). */
  static Path interopDescriptorSet() {
    return Path.of("target/generated-test-resources/protobuf/descriptor-sets/interop.desc").toAbsolutePath();
  }

  /**
   * Decision 13, line for line: each record object exactly as in the vector's {@code records} (a
   * frame's {@code value} compared by the JSON data model), then {@code {"outcome": {...}}} holding
   * the vector's outcome plus only {@code message} and {@code exit_code}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reportsTheVectorsRecordsAndOutcome(Path bin) throws IOException {
    JsonNode expected = MAPPER.readTree(bin.resolveSibling(bin.getFileName().toString().replace(".bin", ".json")).toFile());
    JsonNode reader = expected.path("reader");
    String codec = reader.path("codec").asText("bytes");
    List<String> args = new ArrayList<>(List.of("inspect", "--json", "--codec", codec,
        "--max-frame-length", reader.path("max_frame_length").asText(expected.path("max_frame_length").asText("16777216"))));
    if (codec.equals("protobuf")) {
      args.addAll(List.of("--descriptor-set", interopDescriptorSet().toString(), "--type", "fifochan.interop.Ping,fifochan.interop.Pong"));
    }
    args.add(bin.toString());
    InProcess r = InProcess.run(args.toArray(new String[0]));
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.out.split("\n")) {
      lines.add(MAPPER.readTree(line));
    }
    JsonNode records = expected.get("records");
    assertEquals(records.size() + 1, lines.size(), r.toString());
    for (int i = 0; i < records.size(); i++) {
      JsonNode want = records.get(i).deepCopy();
      JsonNode got = lines.get(i).deepCopy();
      if (!expected.has("reader") && want.get("kind").asText().equals("preamble")) {
        ((ObjectNode) got).remove("version"); // the 1.0 schema has no version field
      }
      JsonNode wantValue = ((ObjectNode) want).remove("value");
      JsonNode gotValue = ((ObjectNode) got).remove("value");
      assertEquals(want, got, bin.getFileName() + " record " + i);
      assertEquals(wantValue == null, gotValue == null, bin.getFileName() + " record " + i + " value: " + gotValue);
      if (wantValue != null) {
        assertEquals(0, JSON_MODEL.compare(wantValue, gotValue), bin.getFileName() + " record " + i + " value " + gotValue
            + " expected " + wantValue);
      }
    }
    ObjectNode outcome = (ObjectNode) lines.get(lines.size() - 1).get("outcome").deepCopy();
    JsonNode message = outcome.remove("message");
    JsonNode exitCode = outcome.remove("exit_code");
    assertEquals(1, lines.get(lines.size() - 1).size(), "only the outcome on the last line");
    JsonNode want = expected.get("outcome");
    if (!expected.has("reader") && want.has("cause") == false) {
      outcome.remove("cause");
    }
    assertEquals(want, outcome, r.toString());
    if (want.get("status").asText().equals("clean")) {
      assertEquals(0, r.exitCode, r.toString());
      assertEquals("", r.err);
      assertTrue(message == null && exitCode == null, outcome.toString());
    } else {
      assertEquals(exitCode.asInt(), r.exitCode);
      assertTrue(r.err.contains("at offset " + want.get("offset").asLong()), r.err);
      assertTrue(r.err.startsWith("fifochan inspect: " + bin + ": "), r.err);
      assertEquals(1, r.err.strip().lines().count(), "one line on stderr: " + r.err);
      assertEquals(r.err.strip(), "fifochan inspect: " + message.asText());
    }
  }

  /** JSON data model equality: numbers by value, objects ignoring member order. */
  private static final java.util.Comparator<JsonNode> JSON_MODEL = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return 1;
      }
      for (java.util.Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!b.has(f) || InspectVectorsTest.JSON_MODEL.compare(a.get(f), b.get(f)) != 0) {
          return 1;
        }
      }
      return 0;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return 1;
      }
      for (int i = 0; i < a.size(); i++) {
        if (InspectVectorsTest.JSON_MODEL.compare(a.get(i), b.get(i)) != 0) {
          return 1;
        }
      }
      return 0;
    }
    return a.equals(b) ? 0 : 1;
  };

  @Test
  void tableNamesTheOffsetOfACorruptFrame() {
    Path bin = InProcess.repoRoot().resolve("testdata/vectors/corrupt-reserved-flag.bin");
    InProcess r = InProcess.run("inspect", bin.toString());
    assertEquals(ExitCode.CORRUPT.code(), r.exitCode, r.toString());
    assertEquals("fifochan inspect: " + bin + ": corrupt frame at offset 19: reserved flag bits set in 04\n", r.err);
    assertTrue(r.out.contains("\"ok\""), r.out);
  }

  @Test
  void missingFileIsOneLineNamingIt() {
    InProcess r = InProcess.run("inspect", "/nonexistent/capture.bin");
    assertEquals(ExitCode.ERROR.code(), r.exitCode);
    assertEquals("fifochan inspect: /nonexistent/capture.bin: no such file or directory\n", r.err);
  }
}
