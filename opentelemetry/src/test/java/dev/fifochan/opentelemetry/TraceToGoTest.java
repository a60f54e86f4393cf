package dev.fifochan.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Java→Go hop: a traced Java sender writes to a FIFO that a Go program reads with fifochan's Go
 * receiver ({@code src/test/go}); it extracts the W3C trace context with go.opentelemetry.io's
 * propagator and records a child span with the Go SDK. Its report must name the Java send span as the
 * remote parent, in the same trace. Without Go (1.26 or later: go.opentelemetry.io/otel v1.47 needs it)
 * the test is skipped, except under {@code CI=true}, where it fails.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class TraceToGoTest {
  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"([^\"]*)\"|true|false|\\d+)");

  /** The go command, or null. */
  private static String goCommand() {
    String path = System.getenv("PATH");
    List<String> candidates = new ArrayList<>();
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        candidates.add(dir + "/go");
      }
    }
    candidates.add("/usr/local/go/bin/go");
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    return null;
  }

  private static void unavailable(String why) {
    if ("true".equals(System.getenv("CI"))) {
      fail(why + " (CI=true: the Java→Go trace test must run)");
    }
    Assumptions.abort(why + "; install Go 1.26+ (https://go.dev/dl) to run the Java→Go trace test");
  }

  private static String run(Path dir, Duration limit, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish within " + limit + ": " + out);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return out.trim();
  }

  static Map<String, String> fields(String json) {
    Map<String, String> m = new java.util.HashMap<>();
    Matcher x = FIELD.matcher(json);
    while (x.find()) {
      m.put(x.group(1), x.group(3) != null ? x.group(3) : x.group(2));
    }
    return m;
  }

  @Test
  void aGoReceiverExtractsTheJavaSendersContextAndRecordsItsChildSpan() throws Exception {
    String go = goCommand();
    if (go == null) {
      unavailable("Go not found on PATH or in /usr/local/go");
    }
    Path goDir = Path.of(System.getProperty("fifochan.otel.goDir", "src/test/go"));
    String version = run(goDir, Duration.ofSeconds(30), go, "env", "GOVERSION");
    Matcher v = Pattern.compile("go1\\.(\\d+)").matcher(version);
    if (!v.find() || Integer.parseInt(v.group(1)) < 26) {
      unavailable("Go " + version + " is older than 1.26, which go.opentelemetry.io/otel v1.47 needs");
    }
    Path dir = Otel.dir("go-hop");
    Path binary = dir.resolve("gohop");
    run(goDir, Duration.ofMinutes(8), go, "build", "-o", binary.toString(), ".");

    try (Otel otel = new Otel()) {
      Path fifo = Fifo.create(dir.resolve("orders"));
      Process hop = new ProcessBuilder(binary.toString(), "-fifo", fifo.toString(), "-channel", "orders")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(ChannelTracing.create(otel.sdk)).build();
      Span produce = otel.sdk.getTracer("test").spanBuilder("produce").startSpan();
      try (Scope ignored = produce.makeCurrent();
          Sender<String> tx = Fifo.openSender(fifo, Codecs.string(), config,
              FifoOptions.builder().openTimeout(Duration.ofSeconds(30)).build())) {
        tx.send("to go 1");
        tx.send("to go 2");
      } finally {
        produce.end();
      }
      assertTrue(hop.waitFor(60, TimeUnit.SECONDS), "the Go program did not finish");
      String out = new String(hop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, hop.exitValue(), out);
      List<String> lines = out.lines().toList();
      assertEquals(2, lines.size(), out);

      List<SpanData> sends = otel.spans("send orders");
      assertEquals(2, sends.size());
      for (int i = 0; i < 2; i++) {
        Map<String, String> go1 = fields(lines.get(i));
        SpanData send = sends.get(i);
        assertEquals("to go " + (i + 1), go1.get("message"));
        assertEquals(produce.getSpanContext().getTraceId(), go1.get("traceId"), "the Go span is in the Java trace");
        assertEquals(send.getTraceId(), go1.get("traceId"));
        assertEquals(send.getSpanId(), go1.get("parentSpanId"), "its parent is the Java send span");
        assertEquals("true", go1.get("parentRemote"));
        assertEquals("1", go1.get("links"), "and it links to the creation context");
        assertEquals("consumer", go1.get("kind"));
        assertEquals("process orders", go1.get("name"));
        assertTrue(go1.get("traceparent").startsWith("00-" + send.getTraceId() + "-" + send.getSpanId() + "-"),
            go1.get("traceparent"));
        assertTrue(!go1.get("spanId").equals(send.getSpanId()));
      }
    }
  }
}
