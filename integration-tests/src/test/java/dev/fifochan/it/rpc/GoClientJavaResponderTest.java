package dev.fifochan.it.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11 across languages: the Go client ({@code fifochan-peer rpc-client}, package
 * {@code fifochan.dev/fifochan/rpc}, driven by commands) against the Java {@code RpcResponder}
 * ({@link JavaRpcResponder} in a child JVM), over a real FIFO pair. Big counts as in
 * {@link JavaClientGoResponderTest}.
 */
class GoClientJavaResponderTest {
  private static final Duration LINE = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  private Child java(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(dir.resolve("req").toString(), dir.resolve("rsp").toString()));
    all.addAll(List.of(args));
    Child c = Child.java("java-responder", all.toArray(String[]::new));
    toClose.add(c);
    return c;
  }

  private Child go(String... args) throws Exception {
    Child c = GoRpcPeer.start("go-client", "rpc-client", dir.resolve("req"), dir.resolve("rsp"), args);
    toClose.add(c);
    return c;
  }

  /** Sends a call command and returns its RESULT line. */
  private static String call(Child go, String id, String op, int timeoutMs, String req) throws Exception {
    go.send("call " + id + " " + op + " " + timeoutMs + " " + req);
    return go.await("RESULT " + id + " ", LINE);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void callsFromConcurrentCallersAreMatchedByContent() throws Exception {
    java();
    Child go = go();
    go.send("load " + JavaClientGoResponderTest.CALLS + " " + JavaClientGoResponderTest.CALLERS + " upper");
    String line = go.await("LOAD", Duration.ofSeconds(280));
    assertTrue(line.startsWith("LOAD ok=" + JavaClientGoResponderTest.CALLS + " bad=0 "), line);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void errorsAreAnswersAndTheConnectionGoesOn() throws Exception {
    java();
    Child go = go();
    assertTrue(call(go, "1", "nope", 10000, "x").startsWith("RESULT 1 ERR UNIMPLEMENTED remote=true"));
    String fail = call(go, "2", "fail", 10000, "x");
    assertTrue(fail.startsWith("RESULT 2 ERR UNKNOWN remote=true") && fail.contains("boom: x"), fail);
    String status = call(go, "3", "status", 10000, "z");
    assertTrue(status.startsWith("RESULT 3 ERR NOT_FOUND remote=true") && status.contains("no such thing: z"), status);
    go.send("callhex 4 echo 10000 ff");
    String bad = go.await("RESULT 4 ", LINE);
    assertTrue(bad.startsWith("RESULT 4 ERR INVALID_ARGUMENT remote=true"), bad);
    assertTrue(call(go, "5", "count", 10000, "1").startsWith("RESULT 5 ERR UNIMPLEMENTED remote=true"));
    assertEquals("RESULT 6 OK still here", call(go, "6", "echo", 10000, "still here"));
    assertEquals("RESULT 7 OK ", call(go, "7", "-", 10000, ""));
    go.send("stream 8 count 10000 3");
    assertEquals("ITEM 8 item-0", go.await("ITEM 8", LINE));
    assertEquals("ITEM 8 item-1", go.await("ITEM 8", LINE));
    assertEquals("ITEM 8 item-2", go.await("ITEM 8", LINE));
    assertEquals("RESULT 8 OK done", go.await("RESULT 8", LINE));
    go.send("stream 9 streamfail 10000 q");
    assertEquals("ITEM 9 a", go.await("ITEM 9", LINE));
    assertEquals("ITEM 9 b", go.await("ITEM 9", LINE));
    assertTrue(go.await("RESULT 9", LINE).startsWith("RESULT 9 ERR ABORTED remote=true"));
    String remaining = call(go, "10", "deadline", 5000, "");
    long ms = Long.parseLong(remaining.substring("RESULT 10 OK remaining-ms ".length()));
    assertTrue(ms > 3000 && ms <= 5000, "the deadline the Java handler sees: " + remaining);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void deadlineAndCancelReachTheJavaHandler() throws Exception {
    Child java = java();
    Child go = go();
    go.send("await 30000"); // the 500 ms deadline is for the call, not for connecting
    go.await("CONNECTED-OK", LINE);
    // 2 s, not less: a request whose deadline passes (and whose cancel follows) before the responder
    // reads it is answered without running the handler, which a loaded machine made happen at 500 ms
    go.send("call d hang 2000 d");
    String hang = java.await("HANG d", LINE);
    long ms = Long.parseLong(hang.substring(hang.indexOf('=') + 1));
    assertTrue(ms > 0 && ms <= 2000, hang);
    assertTrue(go.await("RESULT d ", LINE).startsWith("RESULT d ERR DEADLINE_EXCEEDED remote=false"));
    assertEquals("CANCELLED d DEADLINE_EXCEEDED", java.await("CANCELLED d", LINE));

    go.send("call c hang 0 c");
    assertEquals("HANG c remaining-ms=-1", java.await("HANG c", LINE), "no deadline: no fc-timeout");
    go.send("cancel c");
    assertTrue(go.await("RESULT c ", LINE).startsWith("RESULT c ERR CANCELLED remote=false"));
    assertEquals("CANCELLED c CANCELLED", java.await("CANCELLED c", LINE));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aSlowHandlerDoesNotBlockTheOthers() throws Exception {
    Child java = java();
    Child go = go();
    go.send("call slow hang 60000 slow");
    java.await("HANG slow", LINE);
    go.send("load 200 1 echo");
    String load = go.await("LOAD", LINE);
    assertTrue(load.startsWith("LOAD ok=200 bad=0"), load);
    go.send("cancel slow");
    java.await("CANCELLED slow", LINE);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void notificationsGoBothWays() throws Exception {
    Child java = java();
    Child go = go();
    go.send("notify ping p1");
    java.await("PING p1", LINE);
    assertEquals("NOTIFIED pong pong p1", go.await("NOTIFIED", LINE));
    go.send("call p push 10000 x");
    // The notification travels before the reply; the two lines may print in either order.
    Set<String> got = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      got.add(go.await(l -> l.startsWith("NOTIFIED") || l.startsWith("RESULT p "), LINE, "NOTIFIED or RESULT p"));
    }
    assertEquals(Set.of("RESULT p OK ok x", "NOTIFIED pushed pushed x"), got);
  }

  /**
   * The Java responder is SIGKILLed with every call in flight (held on a latch): every Go call fails
   * within 2 s with UNAVAILABLE (a PeerGoneError, EXITED) and written true, none is answered; a new Java
   * responder on the same pair serves the same Go client.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void responderKilledWithCallsInFlightThenRestarted() throws Exception {
    int n = JavaClientGoResponderTest.IN_FLIGHT;
    Child java = java();
    Child go = go();
    go.send("await 30000");
    go.await("CONNECTED-OK", LINE);
    go.send("burst " + n + " latch 120000");
    java.await("ENTERED " + n, Duration.ofSeconds(60));
    long killed = System.nanoTime();
    java.kill();
    String burst = go.await("BURST", Duration.ofSeconds(10));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(tookMs < 2000, "every call ended within 2 s of the kill: " + tookMs + " ms; " + burst);
    Matcher m = Pattern.compile("BURST n=(\\d+) ok=(\\d+) codes=map\\[(.*)\\] reasons=map\\[(.*)\\] written=(\\d+) "
        + "notwritten=(\\d+) spreadms=(\\d+)").matcher(burst);
    assertTrue(m.matches(), burst);
    assertEquals("0", m.group(2), "answered: " + burst);
    assertEquals("UNAVAILABLE:" + n, m.group(3), burst);
    assertEquals("EXITED:" + n, m.group(4), burst);
    assertEquals(Integer.toString(n), m.group(5), "written: " + burst);

    java(); // a sidecar restart: the same Go client reconnects
    assertEquals("RESULT back OK back", call(go, "back", "echo", 30000, "back"));
    go.send("stats");
    String stats = go.await("STATS", LINE);
    assertTrue(stats.contains("reconnects=1"), stats);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"service, service=orders, -service|quotes, quotes, orders",
      "codec, codec=json, -codec|string, string, json",
      "version, service=default, -hello-version|2, 2, 1"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void handshakeMismatchesFailBothSides(String field, String javaArg, String goArgs, String goValue, String javaValue)
      throws Exception {
    Child java = java(javaArg);
    Child go = go(goArgs.split("\\|"));
    String g = go.await("HANDSHAKE-FAILED", LINE);
    assertTrue(g.startsWith("HANDSHAKE-FAILED " + field + " local=" + goValue + " remote=" + javaValue + " "), g);
    String j = java.await("HANDSHAKE-FAILED", LINE);
    assertTrue(j.startsWith("HANDSHAKE-FAILED " + field.toUpperCase(Locale.ROOT) + " local=" + javaValue
        + " remote=" + goValue + " "), j);
    go.send("call x echo 5000 x");
    assertTrue(go.await("RESULT x ", LINE).startsWith("RESULT x ERR FAILED_PRECONDITION"), "the client stopped");
  }
}
