package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Envelope;
import dev.fifochan.Headers;
import dev.fifochan.LivenessTimeoutException;
import dev.fifochan.ReceiveTimeoutException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 10: the records of wire format 1.1 round-trip between Java and Go ({@code fifochan-peer})
 * over real FIFOs, in both directions: aborted ends (the reason arrives as each side's typed error,
 * every message before it delivered), per-frame headers (keys and byte values exactly), and
 * heartbeats (a reader with a liveness timeout stays quiet while they come and reports the silence
 * of a writer that was stopped with SIGSTOP).
 */
class GoWire11InteropTest extends ProcessTestSupport {
  private static final Duration EXIT = Duration.ofSeconds(60);
  /** Heartbeat interval and liveness timeout: the timeout is 15 intervals, for a loaded machine. */
  private static final Duration HEARTBEAT = Duration.ofMillis(100);
  private static final Duration LIVENESS = Duration.ofMillis(1500);
  /** How long a reader must stay quiet while heartbeats come: twice the liveness timeout. */
  private static final Duration QUIET = LIVENESS.multipliedBy(2);

  private ChildProcess go(String name, String... args) throws Exception {
    return procs.start(name, GoPeer.command(args));
  }

  // ------------------------------------------------------------------------------ aborted ends

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goWriterAbortsAndTheJavaReaderGetsEveryMessageThenStreamAbortedWithTheReason() throws Exception {
    int count = 5_000;
    String reason = "disk full: /var/spool at 100% (errno 28)";
    Path fifo = fifo("go-abort");
    GoPeer.binary();
    ChildProcess peer = go("go-send", "send", "-path", fifo.toString(), "-codec", "bytes", "-count",
        Integer.toString(count), "-abort", reason);
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      StreamAbortedException e = assertThrows(StreamAbortedException.class, () -> {
        while (true) {
          Object m = r.receive();
          assertTrue(m != null, "a clean end instead of the aborted end after " + got.total());
          got.accept(Messages.check(Messages.Kind.BYTES, m, 8));
        }
      });
      assertEquals(count, got.total(), "every message before the aborted end");
      assertEquals(reason, e.reason());
      assertTrue(e.sessionEnded());
      assertEquals(BYTES_PREAMBLE + 14L * count, e.position(), "the aborted end's first byte: " + e.getMessage());
      StreamAbortedException again = assertThrows(StreamAbortedException.class, r::receive, "sticky on a plain receiver");
      assertEquals(reason, again.reason());
      assertEquals(1, r.stats().sessionsAborted(), r.stats().toString());
    }
    assertEquals(0, peer.awaitExit(EXIT), "Abort reached the pipe: " + peer.describe());
  }

  /** A following Java receiver reports a Go writer's aborted end once and reads the next writer. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingJavaReaderReportsAGoWritersAbortOnceAndReadsTheNextWriter() throws Exception {
    Path fifo = fifo("go-abort-follow");
    GoPeer.binary();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, true)) {
      ChildProcess first = go("go-send-1", "send", "-path", fifo.toString(), "-codec", "string", "-count", "100",
          "-abort", "first writer gave up");
      for (long seq = 0; seq < 100; seq++) {
        assertEquals("msg-" + seq, r.receive());
      }
      assertEquals("first writer gave up", assertThrows(StreamAbortedException.class, r::receive).reason());
      assertEquals(0, first.awaitExit(EXIT), first::describe);
      ChildProcess second = go("go-send-2", "send", "-path", fifo.toString(), "-codec", "string", "-count", "100");
      for (long seq = 0; seq < 100; seq++) {
        assertEquals("msg-" + seq, r.receive(), "the next writer's stream, from its first message");
      }
      assertEquals(0, second.awaitExit(EXIT), second::describe);
      // The second writer's clean end is read by the next call, which then waits for a third writer.
      assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(200)));
      assertFalse(r.isEnded());
      assertEquals(1, r.stats().sessionsAborted(), r.stats().toString());
      assertEquals(1, r.stats().sessionsEnded(), r.stats().toString());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void javaWriterAbortsAndTheGoReaderGetsEveryMessageThenItsAbortedErrorWithTheReason() throws Exception {
    int count = 3_000;
    String reason = "Ärger: the codec failed on message 3000 ✗"; // UTF-8, not ASCII
    Path fifo = fifo("java-abort");
    GoPeer.binary();
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "bytes");
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().build(), options().build()));
    for (int seq = 0; seq < count; seq++) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, seq, 8));
    }
    s.abort(reason);
    ExecutionException done = assertThrows(ExecutionException.class, () -> s.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    StreamAbortedException mine = (StreamAbortedException) done.getCause();
    assertTrue(mine.sessionEnded(), "the aborted end reached the pipe");
    assertEquals(8, peer.awaitExit(EXIT), "exit code 8 = aborted by the writer: " + peer.describe());
    assertEquals("ABORTED " + count + " " + reason, peer.awaitLine("ABORTED", Duration.ofSeconds(1)), peer::describe);
  }

  // ------------------------------------------------------------------------------ headers

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void headersFromJavaArriveInGoWithExactlyTheirKeysAndValues() throws Exception {
    int count = 2_000;
    String longKey = "x-" + "k".repeat(62); // 64 bytes: the longest key
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Path fifo = fifo("java-headers");
    GoPeer.binary();
    ChildProcess peer = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "bytes",
        "-expect-header", "traceparent=" + traceparent, "-expect-header", "content-type=application/octet-stream",
        "-expect-header", longKey + "=", "-expect-header", "app.tenant_id=acme-42");
    Headers headers = Headers.builder().put("traceparent", traceparent).put("content-type", "application/octet-stream")
        .put(longKey, new byte[0]).put("app.tenant_id", "acme-42").build();
    try (Sender<Object> s = openSender(fifo, Messages.Kind.BYTES, config().build(), options().build())) {
      for (int seq = 0; seq < count; seq++) {
        s.send(Messages.make(Messages.Kind.BYTES, 0, seq, 8), headers);
      }
    }
    assertEquals(0, peer.awaitExit(EXIT), "every message carried every header: " + peer.describe());
    assertEquals("OK " + count, peer.awaitLine("OK", Duration.ofSeconds(1)), peer::describe);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void headersFromGoArriveInJavaWithExactlyTheirKeysAndValues() throws Exception {
    int count = 2_000;
    Path fifo = fifo("go-headers");
    GoPeer.binary();
    ChildProcess peer = go("go-send", "send", "-path", fifo.toString(), "-codec", "json", "-count", Integer.toString(count),
        "-header", "fc-id=42", "-header", "content-type=application/json", "-header", "empty=");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.GOJSON, false)) {
      for (long seq = 0; seq < count; seq++) {
        Envelope<Object> e = r.receiveEnvelope();
        assertEquals(new Messages.GoEvent(seq, "ping-" + seq), e.value());
        assertEquals(List.of(Map.entry("fc-id", "42"), Map.entry("content-type", "application/json"), Map.entry("empty", "")),
            entries(e.headers()), "message " + seq);
      }
      assertNull(r.receive(), "a clean end (the writer sent 1.1 because of its headers)");
    }
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
  }

  /**
   * Byte values that are not text: every byte value 0x00-0xFF, an empty value and one of the largest
   * size (4096 bytes), Java to Go ({@code echo}, which copies each message with its headers) and back.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void arbitraryHeaderBytesCrossFromJavaToGoAndBackUnchanged() throws Exception {
    int count = 300;
    Path in = fifo("to-go");
    Path out = fifo("from-go");
    GoPeer.binary();
    ChildProcess peer = go("go-echo", "echo", "-in", in.toString(), "-out", out.toString(), "-codec", "bytes",
        "-wire-version", "1.1");
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      try (Sender<Object> s = openSender(in, Messages.Kind.BYTES, config().build(), options().build())) {
        for (int seq = 0; seq < count; seq++) {
          s.send(Messages.make(Messages.Kind.BYTES, 0, seq, 8), binaryHeaders(seq));
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (Receiver<Object> r = openReceiver(out, Messages.Kind.BYTES, false)) {
      for (int seq = 0; seq < count; seq++) {
        Envelope<Object> e = r.receiveEnvelope();
        assertEquals(seq, Messages.check(Messages.Kind.BYTES, e.value(), 8).seq());
        Headers want = binaryHeaders(seq);
        assertEquals(new ArrayList<>(want.keys()), new ArrayList<>(e.headers().keys()), "keys in order, message " + seq);
        for (String key : want.keys()) {
          assertArrayEquals(want.get(key), e.headers().get(key), "message " + seq + ", header " + key);
        }
      }
      assertNull(r.receive(), "echo ends its output cleanly at the clean end of its input");
    }
    sending.get(30, TimeUnit.SECONDS);
    assertEquals(0, peer.awaitExit(EXIT), peer::describe);
  }

  private static Headers binaryHeaders(int seq) {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) (i + seq);
    }
    byte[] largest = new byte[4096];
    for (int i = 0; i < largest.length; i++) {
      largest[i] = (byte) (i * 31 + seq);
    }
    Headers.Builder b = Headers.builder().put("bin", all).put("empty", new byte[0]).put("k-" + (seq % 10), new byte[] {(byte) seq});
    if (seq % 3 == 0) {
      b.put("largest", largest);
    }
    return b.build();
  }

  private static List<Map.Entry<String, String>> entries(Headers h) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    h.forEach((k, v) -> out.add(Map.entry(k, new String(v, StandardCharsets.UTF_8))));
    return out;
  }

  // ------------------------------------------------------------------------------ heartbeats

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void javaReaderStaysQuietWhileGoHeartbeatsComeAndReportsTheSilenceOfAStoppedGoWriter() throws Exception {
    Path fifo = fifo("go-heartbeat");
    GoPeer.binary();
    // One message, then 60 s of idleness with a heartbeat after every 100 ms without writes.
    ChildProcess peer = go("go-send", "send", "-path", fifo.toString(), "-codec", "bytes", "-count", "2",
        "-heartbeat", HEARTBEAT.toMillis() + "ms", "-interval", "60s");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, config().livenessTimeout(LIVENESS).build(),
        options().build())) {
      assertEquals(0, Messages.check(Messages.Kind.BYTES, r.receive(Duration.ofSeconds(30)), 8).seq());
      long before = r.stats().heartbeatsReceived();
      assertThrows(ReceiveTimeoutException.class, () -> r.receive(QUIET),
          "nothing to deliver, and no liveness failure while heartbeats come");
      long beats = r.stats().heartbeatsReceived() - before;
      assertTrue(beats >= 5, beats + " heartbeats in " + QUIET);

      peer.signal("STOP");
      long stopped = System.nanoTime();
      LivenessTimeoutException silent = assertThrows(LivenessTimeoutException.class, () -> r.receive(Duration.ofSeconds(30)));
      double after = (System.nanoTime() - stopped) / 1e9;
      assertEquals(1, silent.openSessions(), silent.getMessage());
      assertEquals(LIVENESS, silent.timeout());
      assertTrue(after < 15, "reported " + after + " s after the writer stopped");
      System.out.printf("GoWire11InteropTest: %d heartbeats in %s; silence reported %.2f s after SIGSTOP%n", beats, QUIET, after);
    } finally {
      peer.signal("CONT");
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void goReaderStaysQuietWhileJavaHeartbeatsComeAndReportsTheSilenceOfAStoppedJavaWriter() throws Exception {
    GoPeer.binary();
    String liveness = LIVENESS.toMillis() + "ms";
    // Two idle Java writers, each read by a Go reader with a liveness timeout: one sends heartbeats
    // every 100 ms, the other (the control) none.
    Path fifo = fifo("java-heartbeat");
    Path control = fifo("java-no-heartbeat");
    ChildProcess writer = procs.java("java-send", "send", "--path", fifo.toString(), "--codec", "bytes", "--size", "8",
        "--count", "3", "--heartbeat-ms", Long.toString(HEARTBEAT.toMillis()), "--hold");
    ChildProcess quiet = procs.java("java-send-quiet", "send", "--path", control.toString(), "--codec", "bytes",
        "--size", "8", "--count", "3", "--hold");
    ChildProcess reader = go("go-recv", "recv", "-path", fifo.toString(), "-codec", "bytes", "-liveness", liveness);
    ChildProcess controlReader = go("go-recv-control", "recv", "-path", control.toString(), "-codec", "bytes",
        "-liveness", liveness);
    writer.awaitLine("HOLDING 3", CHILD_START);
    quiet.awaitLine("HOLDING 3", CHILD_START);
    // Without heartbeats the idle writer looks dead ...
    assertEquals(3, controlReader.awaitExit(Duration.ofSeconds(30)), "exit 3 = liveness timeout: " + controlReader.describe());
    assertTrue(controlReader.stderr().contains("no sign of life"), controlReader.describe());
    // ... with them it looks alive ...
    assertFalse(reader.process().waitFor(QUIET.toMillis(), TimeUnit.MILLISECONDS),
        "the Go reader stays quiet for " + QUIET + " while heartbeats come: " + reader.describe());
    // ... until it is stopped.
    writer.signal("STOP");
    try {
      assertEquals(3, reader.awaitExit(Duration.ofSeconds(30)), "exit 3 = liveness timeout: " + reader.describe());
      assertTrue(reader.stderr().contains("no sign of life"), reader.describe());
    } finally {
      writer.signal("CONT");
    }
  }
}
