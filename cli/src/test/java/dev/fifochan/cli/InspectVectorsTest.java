package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
  private static final ObjectMapper MAPPER = new ObjectMapper();

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

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reportsTheVectorsRecordsAndOutcome(Path bin) throws IOException {
    JsonNode expected = MAPPER.readTree(bin.resolveSibling(bin.getFileName().toString().replace(".bin", ".json")).toFile());
    InProcess r = InProcess.run("inspect", "--json",
        "--max-frame-length", expected.path("max_frame_length").asText("16777216"), bin.toString());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.out.split("\n")) {
      lines.add(MAPPER.readTree(line));
    }
    JsonNode records = expected.get("records");
    assertEquals(records.size() + 1, lines.size(), r.toString());
    for (int i = 0; i < records.size(); i++) {
      JsonNode want = records.get(i);
      JsonNode got = lines.get(i);
      for (String field : new String[] {"kind", "offset", "codec", "flags", "tag", "payload_hex"}) {
        if (want.has(field)) {
          assertEquals(want.get(field).asText(), got.path(field).asText(), bin.getFileName() + " record " + i + " " + field);
        }
      }
    }
    JsonNode outcome = expected.get("outcome");
    JsonNode last = lines.get(lines.size() - 1);
    if (outcome.get("status").asText().equals("clean")) {
      assertEquals("clean", last.get("outcome").asText(), r.toString());
      assertEquals(0, r.exitCode, r.toString());
      assertEquals("", r.err);
    } else {
      assertEquals("error", last.get("outcome").asText(), r.toString());
      assertEquals(outcome.get("error").asText(), last.get("error").asText(), r.toString());
      assertEquals(outcome.get("offset").asLong(), last.get("offset").asLong(), r.toString());
      assertEquals(last.get("exit_code").asInt(), r.exitCode);
      assertTrue(r.err.contains("at offset " + outcome.get("offset").asLong()), r.err);
      assertTrue(r.err.startsWith("fifochan inspect: " + bin + ": "), r.err);
      assertEquals(1, r.err.strip().lines().count(), "one line on stderr: " + r.err);
    }
  }

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
