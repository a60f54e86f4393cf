package dev.fifochan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs every example over real FIFOs (and, for the trace, a second JVM) and checks what it printed. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExamplesTest {

  @FunctionalInterface
  interface Example {
    void run() throws Exception;
  }

  /** What {@code example} printed to System.out, line by line. */
  private static synchronized List<String> output(Example example) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    try {
      example.run();
    } finally {
      System.setOut(original);
      capture.flush();
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text); // kept in the test's report
    return text.lines().toList();
  }

  @Test
  void stringsAndBytes() throws Exception {
    List<String> out = output(() -> StringsAndBytes.run(Examples.newDir("strings")));
    assertEquals(List.of("hello", "world", "bytes [1, 2, 3]"), out);
  }

  @Test
  void jsonRecord() throws Exception {
    List<String> out = output(() -> JsonRecord.run(Examples.newDir("json")));
    assertEquals(List.of("1 book x2 at 2026-11-29T10:15:30Z gift ttl PT1H", "2 pen x10 at 2026-11-29T10:16:00Z - ttl PT5M"),
        out);
  }

  @Test
  void jsonTypes() throws Exception {
    List<String> out = output(() -> JsonTypes.run(Examples.newDir("json-types")));
    assertEquals(List.of("order 7: 1 x lamp", "cancel 7: changed my mind"), out);
  }

  @Test
  void protobuf() throws Exception {
    List<String> out = output(() -> ProtobufExample.run(Examples.newDir("protobuf")));
    assertEquals(List.of("ping 1 hello", "pong 1 5 bytes"), out);
  }

  @Test
  void abortIdiom() throws Exception {
    List<String> out = output(() -> AbortIdiom.run(Examples.newDir("abort")));
    assertTrue(out.containsAll(List.of("order 1 book", "order 2 pen",
        "the writer gave up: java.lang.IllegalStateException: order 3: out of stock",
        "writer failed: order 3: out of stock")), out.toString());
    assertFalse(out.contains("complete"), "an aborted stream never looks complete");
    assertEquals(4, out.size(), out.toString());
  }

  @Test
  void requestResponse() throws Exception {
    List<String> out = output(() -> RequestResponse.run(Examples.newDir("rpc")));
    assertEquals(List.of("ACME 12.5", "NOT_FOUND: no symbol NONE", "INIT tick 1", "INIT tick 2", "INIT tick 3"), out);
  }

  @Test
  void metricsOnASimpleMeterRegistry() throws Exception {
    List<String> out = output(() -> Metrics.run(Examples.newDir("metrics")));
    assertTrue(out.contains("fifochan.messages{direction=send} = 1000.0"), out.toString());
    assertTrue(out.contains("received 1000, fifochan.messages{direction=receive} = 1000.0"), out.toString());
    String bytes = out.stream().filter(l -> l.startsWith("fifochan.bytes{direction=send} = ")).findFirst().orElseThrow();
    double n = Double.parseDouble(bytes.substring(bytes.lastIndexOf(' ') + 1));
    assertTrue(n > 1000 * "event 0".length(), bytes); // payloads plus framing
  }

  @Test
  void configuration() throws Exception {
    List<String> out = output(() -> Configuration.run(Examples.newDir("config")));
    assertEquals(List.of("first writer", "second writer"), out);
  }

  private static final Pattern SPAN = Pattern.compile(
      "(\\[sender\\] )?span (.+) kind=(\\w+) trace=(\\w+) span=(\\w+) parent=(\\w+)");

  record PrintedSpan(boolean sender, String name, String kind, String trace, String span, String parent) {}

  @Test
  void twoProcessTrace() throws Exception {
    List<String> out = output(() -> TwoProcessTrace.run(Examples.newDir("trace")));
    Map<String, List<PrintedSpan>> byName = new HashMap<>();
    for (String line : out) {
      Matcher m = SPAN.matcher(line);
      if (m.matches()) {
        PrintedSpan s = new PrintedSpan(m.group(1) != null, m.group(2), m.group(3), m.group(4), m.group(5), m.group(6));
        byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
      }
    }
    PrintedSpan checkout = byName.get("checkout").get(0);
    assertTrue(checkout.sender());
    List<PrintedSpan> sends = byName.get("send orders");
    List<PrintedSpan> receives = byName.get("receive orders");
    List<PrintedSpan> processes = byName.get("process orders");
    assertEquals(2, sends.size(), out.toString());
    assertEquals(2, receives.size(), out.toString());
    assertEquals(2, processes.size(), out.toString());
    for (int i = 0; i < 2; i++) {
      PrintedSpan send = sends.get(i);
      PrintedSpan receive = receives.get(i);
      assertTrue(send.sender() && !receive.sender(), "two processes");
      assertEquals("PRODUCER", send.kind());
      assertEquals(checkout.span(), send.parent());
      assertEquals("CONSUMER", receive.kind());
      assertEquals(checkout.trace(), receive.trace(), "one trace");
      assertEquals(send.span(), receive.parent(), "the receive span is the send span's child");
      assertEquals(receive.span(), processes.get(i).parent());
      PrintedSpan pick = byName.get("pick order " + (i + 1)).get(0);
      assertEquals(checkout.trace(), pick.trace());
      assertEquals(processes.get(i).span(), pick.parent());
    }
  }
}
