package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.WireVersion;
import dev.fifochan.fifo.Fifo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10: wire format 1.1 against the <em>released</em> fifochan 0.1 — the frozen copies in
 * {@code compat/v0.1} (tag {@code v0.1.0}), never the new code in a compatibility mode.
 *
 * <ul>
 *   <li>{@code testdata/compat_check.py}, run as CI runs it: Python's 1.1 peer against 0.1's
 *       {@code peer.py}, Go package and Java api, both directions, over real FIFOs.</li>
 *   <li>This library (1.0, writing wire format 1.1 by default) against 0.1's Java api and Go package,
 *       each run as a separate process ({@code compat/v0.1/java} compiled here onto a class path of its
 *       own, {@code compat/v0.1/go} built with {@code go build}): a default writer is refused by a 0.1
 *       reader at the preamble with a version error, never mid-stream; a writer pinned to
 *       {@link WireVersion#V1_0} is read cleanly, and its abort reads as a truncated stream; a 0.1
 *       writer is read cleanly by a 1.0 {@link Receiver}.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompatibilityTest extends ProcessTestSupport {
  /** What compat_check.py sends: empty, non-ASCII and longer-than-PIPE_BUF lines. */
  private static final List<String> LINES = List.of("first", "grüße 🙂", "", "x".repeat(5000), "last");
  private static final Duration EXIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path javaClasses;
  private static Path goBinary;
  private static Process compatCheck;
  private static Path compatLog;

  /**
   * Starts {@code compat_check.py} before the other tests of this class, which run while it does (it
   * spends most of its time waiting for its own child processes);
   * {@link #compatCheckScriptPassesInEveryDirectionAgainstTheReleased01()} waits for it last.
   */
  @BeforeAll
  static void startCompatCheck() throws IOException {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("python3", "go", "mvn")) {
      if (Tools.find(tool) == null) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      return; // the test itself skips (or fails under CI) with the reason
    }
    Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target"), "compat-v01", "compat_check.log").toAbsolutePath();
    Files.createDirectories(out.getParent());
    compatLog = out;
    compatCheck = new ProcessBuilder(Tools.find("python3").toString(),
        Tools.repoRoot().resolve("testdata/compat_check.py").toString(), "--go", "--java")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  @AfterAll
  static void stopCompatCheck() {
    if (compatCheck != null && compatCheck.isAlive()) {
      compatCheck.descendants().forEach(ProcessHandle::destroyForcibly);
      compatCheck.destroyForcibly();
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  @Timeout(value = 900, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void compatCheckScriptPassesInEveryDirectionAgainstTheReleased01() throws Exception {
    Tools.require("python3", "install Python 3");
    Tools.require("go", "install Go 1.22 or later (the check builds compat/v0.1/go)");
    Tools.require("mvn", "install Maven (the check builds compat/v0.1/java with `mvn package`)");
    assertTrue(compatCheck.waitFor(14, TimeUnit.MINUTES), "compat_check.py did not finish within 14 minutes");
    List<String> out = Files.readAllLines(compatLog);
    String all = String.join("\n", out);
    String summary = out.isEmpty() ? "" : out.get(out.size() - 1);
    Matcher m = Pattern.compile("(\\d+) passed, (\\d+) failed").matcher(summary);
    assertTrue(m.matches(), "no summary line:\n" + all);
    assertEquals(0, compatCheck.exitValue(), all);
    assertEquals("0", m.group(2), all);
    for (String side : List.of("py", "go", "java")) {
      assertTrue(out.stream().anyMatch(l -> l.startsWith("ok " + side + ": 1.1 writer -> 0.1")),
          "the 1.1 writer -> 0.1 reader checks of " + side + " ran:\n" + all);
      assertTrue(out.stream().anyMatch(l -> l.startsWith("ok " + side + ": 0.1 ")),
          "the 0.1 writer -> 1.1 reader checks of " + side + " ran:\n" + all);
    }
    assertTrue(Integer.parseInt(m.group(1)) >= 25, summary);
    System.out.println("CompatibilityTest: compat_check.py: " + summary);
  }

  // ------------------------------------------------------------------------------ 1.0 (this library) vs 0.1

  /**
   * A 1.0 sender in its default mode announces wire format 1.1 in its preamble, which a 0.1 reader
   * refuses with a version error before reading anything else. The preamble is written when the sender
   * opens; the 0.1 reader has refused it and gone before the first message is sent, which then fails
   * with {@link PeerClosedException}: nothing can have been read as a message.
   */
  @ParameterizedTest(name = "0.1 {0} reader")
  @ValueSource(strings = {"java", "go"})
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aDefaultSenderIsRefusedByThe01ReaderAtThePreambleWithAVersionError(String tool) throws Exception {
    Path fifo = fifo("to-01");
    ChildProcess reader = procs.start("0.1-" + tool + "-read", read(tool, fifo));
    Sender<String> s = closeAfterTest(Fifo.openSender(fifo, Codecs.string(), config().build(), options().build()));
    assertEquals(1, reader.awaitExit(EXIT), "the 0.1 reader fails: " + reader.describe());
    List<JsonNode> records = records(reader);
    JsonNode outcome = records.remove(records.size() - 1).get("outcome");
    assertEquals(List.of(), records, "nothing read before the refusal");
    assertEquals("error", outcome.get("status").asText(), outcome.toString());
    assertEquals("incompatible", outcome.get("error").asText(), outcome.toString());
    assertEquals(0, outcome.get("offset").asLong(), "refused at the preamble: " + outcome);
    assertTrue(outcome.get("message").asText().toLowerCase(Locale.ROOT).contains("version"), outcome.toString());
    PeerClosedException gone = assertThrows(PeerClosedException.class, () -> {
      s.send(LINES.get(0));
      s.flush();
    });
    assertEquals(0, gone.messagesWritten(), gone.getMessage());
  }

  @ParameterizedTest(name = "0.1 {0} reader, checksum={1}")
  @CsvSource({"java, false", "java, true", "go, false", "go, true"})
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aSenderPinnedToWireFormat10IsReadCleanlyByThe01Reader(String tool, boolean checksum) throws Exception {
    Path fifo = fifo("to-01");
    ChildProcess reader = procs.start("0.1-" + tool + "-read", read(tool, fifo));
    ChannelConfig cfg = config().wireVersion(WireVersion.V1_0).checksum(checksum).build();
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), cfg, options().build())) {
      for (String line : LINES) {
        s.send(line);
      }
    }
    assertEquals(0, reader.awaitExit(EXIT), "a clean end for the 0.1 reader: " + reader.describe());
    List<JsonNode> records = records(reader);
    assertEquals("clean", records.get(records.size() - 1).get("outcome").get("status").asText(), reader.describe());
    assertEquals(LINES, payloads(records));
    assertEquals("preamble", records.get(0).get("kind").asText());
    assertEquals("string", records.get(0).get("codec").asText());
  }

  /** In 1.0 an abort cannot be said: the pinned sender leaves no end, and the 0.1 reader reports a truncated stream. */
  @ParameterizedTest(name = "0.1 {0} reader")
  @ValueSource(strings = {"java", "go"})
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aPinnedSendersAbortIsATruncatedStreamForThe01ReaderNeverACleanOne(String tool) throws Exception {
    Path fifo = fifo("to-01");
    ChildProcess reader = procs.start("0.1-" + tool + "-read", read(tool, fifo));
    Sender<String> s = closeAfterTest(Fifo.openSender(fifo, Codecs.string(),
        config().wireVersion(WireVersion.V1_0).build(), options().build()));
    for (String line : LINES) {
      s.send(line);
    }
    s.abort("boom");
    assertEquals(1, reader.awaitExit(EXIT), reader.describe());
    List<JsonNode> records = records(reader);
    JsonNode outcome = records.get(records.size() - 1).get("outcome");
    assertEquals("truncated", outcome.get("error").asText(), outcome.toString());
    assertEquals(LINES, payloads(records), "every message before the abort");
  }

  @ParameterizedTest(name = "0.1 {0} writer, checksum={1}")
  @CsvSource({"java, false", "java, true", "go, false", "go, true"})
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void a01WriterIsReadCleanlyByA10Receiver(String tool, boolean checksum) throws Exception {
    Path fifo = fifo("from-01");
    List<String> cmd = write(tool, fifo, checksum);
    ChildProcess writer = procs.start("0.1-" + tool + "-write", cmd);
    try (OutputStream in = writer.process().getOutputStream()) {
      for (String line : LINES) {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), config().build(), options().build())) {
      List<String> got = new ArrayList<>();
      for (String m; (m = r.receive(Duration.ofSeconds(30))) != null; ) {
        got.add(m);
      }
      assertEquals(LINES, got);
      assertTrue(r.isEnded(), "a clean end");
      assertNull(r.receive());
      assertEquals(1, r.stats().sessionsEnded());
    }
    assertEquals(0, writer.awaitExit(EXIT), writer.describe());
  }

  // ------------------------------------------------------------------------------ the 0.1 tools

  private static List<String> read(String tool, Path fifo) throws Exception {
    return tool.equals("java")
        ? List.of(java(), "-cp", compatJava().toString(), "dev.fifochan.compat.v01.Main", "read", "--codec", "string", fifo.toString())
        : List.of(compatGo().toString(), "read", "-codec", "string", fifo.toString());
  }

  private static List<String> write(String tool, Path fifo, boolean checksum) throws Exception {
    List<String> cmd = new ArrayList<>(tool.equals("java")
        ? List.of(java(), "-cp", compatJava().toString(), "dev.fifochan.compat.v01.Main", "write", "--codec", "string")
        : List.of(compatGo().toString(), "write", "-codec", "string"));
    if (checksum) {
      cmd.add(tool.equals("java") ? "--checksum" : "-checksum");
    }
    cmd.add(fifo.toString());
    return cmd;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** compat/v0.1/java (the frozen 0.1 api and its small Main), compiled once into a directory of its own. */
  private static synchronized Path compatJava() throws IOException {
    if (javaClasses == null) {
      Path src = Tools.repoRoot().resolve("compat/v0.1/java/src/main/java");
      Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target"), "compat-v01", "classes").toAbsolutePath();
      List<String> files;
      try (Stream<Path> s = Files.walk(src)) {
        files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      StringWriter log = new StringWriter();
      boolean ok = javac.getTask(log, null, null, List.of("--release", "17", "-nowarn", "-d", out.toString()), null,
          javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromStrings(files)).call();
      assertTrue(ok, "compiling compat/v0.1/java failed:\n" + log);
      javaClasses = out;
    }
    return javaClasses;
  }

  /** compat/v0.1/go's fifochan-v01 (the frozen 0.1 Go package), built once. */
  private static synchronized Path compatGo() throws Exception {
    if (goBinary == null) {
      Path go = Tools.require("go", "install Go 1.22 or later");
      Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target"), "compat-v01", "fifochan-v01").toAbsolutePath();
      Files.createDirectories(out.getParent());
      Path log = out.resolveSibling("go-build.log");
      Process p = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), "./cmd/fifochan-v01")
          .directory(Tools.repoRoot().resolve("compat/v0.1/go").toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertTrue(p.waitFor(10, TimeUnit.MINUTES), "go build of compat/v0.1/go did not finish");
      assertEquals(0, p.exitValue(), () -> "go build of compat/v0.1/go failed: " + readQuietly(log));
      goBinary = out;
    }
    return goBinary;
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The 0.1 reader's JSON lines: one object per record, the outcome last. */
  private static List<JsonNode> records(ChildProcess reader) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : reader.stdoutLines()) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    assertTrue(!out.isEmpty() && out.get(out.size() - 1).has("outcome"), "no outcome: " + reader.describe());
    return out;
  }

  private static List<String> payloads(List<JsonNode> records) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : records) {
      if (r.has("kind") && r.get("kind").asText().equals("frame")) {
        out.add(new String(HexFormat.of().parseHex(r.get("payload_hex").asText()), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
