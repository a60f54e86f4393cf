package dev.fifochan.it.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.HandshakeException;
import dev.fifochan.rpc.PeerGoneException;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcStatus;
import dev.fifochan.rpc.RpcStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11 across languages: the Java {@code RpcClient} against the Go responder
 * ({@code fifochan-peer rpc-serve}, package {@code fifochan.dev/fifochan/rpc}) in another process, over a
 * real FIFO pair. Big counts: {@code -Dfifochan.it.rpc.calls=100000 -Dfifochan.it.rpc.inflight=1000}.
 */
class JavaClientGoResponderTest {
  static final int CALLS = Integer.getInteger("fifochan.it.rpc.calls", 10_000);
  static final int CALLERS = Integer.getInteger("fifochan.it.rpc.callers", 16);
  static final int IN_FLIGHT = Integer.getInteger("fifochan.it.rpc.inflight", 1_000);
  static final Duration LINE = Duration.ofSeconds(20);

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

  private Child go(String... args) throws Exception {
    Child c = GoRpcPeer.start("go-responder", "rpc-serve", dir.resolve("req"), dir.resolve("rsp"), args);
    toClose.add(c);
    return c;
  }

  private RpcClient<Object> client(String service, String codec, LinkedBlockingQueue<String> notes) {
    FifoPair pair = FifoPair.of(dir.resolve("req"), dir.resolve("rsp"), FifoOptions.defaults());
    RpcClient.Builder<Object> b = RpcClient.builder(pair.connector(ChannelConfig.defaults()), new RawStringCodec(codec))
        .config(RpcConfig.builder().service(service).build());
    if (notes != null) {
      b.onNotification((op, m, from) -> notes.add(op + ": " + m));
    }
    RpcClient<Object> c = b.build();
    toClose.add(c);
    return c;
  }

  private RpcClient<Object> client() {
    return client("default", "string", null);
  }

  private static RpcException failure(CompletableFuture<?> f) throws InterruptedException {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RpcException, e.toString());
    return (RpcException) e.getCause();
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void callsFromConcurrentCallersAreMatchedByContent() throws Exception {
    go();
    RpcClient<Object> c = client();
    assertTrue(c.awaitConnected(LINE));
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger bad = new AtomicInteger();
    List<Future<?>> callers = new ArrayList<>();
    for (int g = 0; g < CALLERS; g++) {
      int caller = g;
      callers.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < CALLS) {
          String req = "java-" + caller + "-" + i;
          try {
            Object got = c.callBlocking("upper", req, String.class, Duration.ofSeconds(30));
            if (!req.toUpperCase(Locale.ROOT).equals(got)) {
              bad.incrementAndGet();
            }
          } catch (Exception e) {
            bad.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : callers) {
      f.get();
    }
    pool.shutdown();
    assertEquals(0, bad.get(), "replies not matching their requests");
    assertEquals(CALLS, c.metrics().callsSucceeded());
    assertEquals(0, c.metrics().lateFramesDropped());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void errorsAreAnswersAndTheConnectionGoesOn() throws Exception {
    go();
    RpcClient<Object> c = client();
    Duration d = Duration.ofSeconds(10);
    RpcException e = assertThrows(RpcException.class, () -> c.callBlocking("nope", "x", String.class, d));
    assertEquals(RpcStatus.UNIMPLEMENTED, e.status());
    assertTrue(e.isRemote());
    e = assertThrows(RpcException.class, () -> c.callBlocking("fail", "x", String.class, d));
    assertEquals(RpcStatus.UNKNOWN, e.status());
    assertTrue(e.statusMessage().contains("boom: x"), e.statusMessage());
    e = assertThrows(RpcException.class, () -> c.callBlocking("panic", "y", String.class, d));
    assertEquals(RpcStatus.UNKNOWN, e.status());
    e = assertThrows(RpcException.class, () -> c.callBlocking("status", "z", String.class, d));
    assertEquals(RpcStatus.NOT_FOUND, e.status());
    assertEquals("no such thing: z", e.statusMessage());
    e = assertThrows(RpcException.class, () -> c.callBlocking("echo", new byte[] {(byte) 0xff}, String.class, d));
    assertEquals(RpcStatus.INVALID_ARGUMENT, e.status(), e.getMessage());
    assertTrue(e.isRemote());
    e = assertThrows(RpcException.class, () -> c.callBlocking("count", "1", String.class, d));
    assertEquals(RpcStatus.UNIMPLEMENTED, e.status(), "a streaming operation called as unary");
    assertEquals("still here", c.callBlocking("echo", "still here", String.class, d));
    assertEquals("", c.callBlocking("", "", String.class, d), "the empty operation (the string codec's tag)");
    try (RpcStream<String> s = c.callStream("count", "3", String.class, d)) {
      assertEquals("item-0", s.receive());
      assertEquals("item-1", s.receive());
      assertEquals("item-2", s.receive());
      assertNull(s.receive());
    }
    try (RpcStream<String> s = c.callStream("streamfail", "q", String.class, d)) {
      assertEquals("a", s.receive());
      assertEquals("b", s.receive());
      e = assertThrows(RpcException.class, s::receive);
      assertEquals(RpcStatus.ABORTED, e.status());
    }
    String remaining = (String) c.callBlocking("deadline", "", String.class, Duration.ofSeconds(5));
    long ms = Long.parseLong(remaining.substring("remaining-ms ".length()));
    assertTrue(ms > 3000 && ms <= 5000, "the deadline the Go handler sees: " + remaining);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void deadlineAndCancelReachTheGoHandler() throws Exception {
    Child go = go();
    RpcClient<Object> c = client();
    assertTrue(c.awaitConnected(LINE)); // the 500 ms deadline is for the call, not for connecting
    CompletableFuture<String> f = c.call("hang", "d", String.class, Duration.ofMillis(500));
    String hang = go.await("HANG d", LINE);
    long ms = Long.parseLong(hang.substring(hang.indexOf('=') + 1));
    assertTrue(ms > 0 && ms <= 500, hang);
    RpcException e = failure(f);
    assertEquals(RpcStatus.DEADLINE_EXCEEDED, e.status());
    assertFalse(e.isRemote());
    assertEquals("CANCELLED d DEADLINE_EXCEEDED", go.await("CANCELLED d", LINE));

    f = c.call("hang", "c", String.class, Duration.ofSeconds(30));
    go.await("HANG c", LINE);
    assertTrue(f.cancel(true));
    assertEquals("CANCELLED c CANCELLED", go.await("CANCELLED c", LINE));
    // the counter goes up once send() has returned, which may be after the Go side printed the cancel
    long until = System.nanoTime() + LINE.toNanos();
    while (c.metrics().cancelsSent() < 2 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertTrue(c.metrics().cancelsSent() >= 2, "cancels sent: " + c.metrics().cancelsSent());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aSlowHandlerDoesNotBlockTheOthers() throws Exception {
    Child go = go();
    RpcClient<Object> c = client();
    CompletableFuture<String> held = c.call("hang", "slow", String.class, Duration.ofSeconds(60));
    go.await("HANG slow", LINE);
    for (int i = 0; i < 200; i++) {
      assertEquals("n" + i, c.callBlocking("echo", "n" + i, String.class, Duration.ofSeconds(10)));
    }
    assertFalse(held.isDone(), "the held call is still running");
    held.cancel(true);
    go.await("CANCELLED slow", LINE);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void notificationsGoBothWays() throws Exception {
    Child go = go();
    LinkedBlockingQueue<String> notes = new LinkedBlockingQueue<>();
    RpcClient<Object> c = client("default", "string", notes);
    c.notify("ping", "p1", Duration.ofSeconds(10));
    go.await("PING p1", LINE);
    assertEquals("pong: pong p1", notes.poll(20, TimeUnit.SECONDS));
    assertEquals("ok x", c.callBlocking("push", "x", String.class, Duration.ofSeconds(10)));
    assertEquals("pushed: pushed x", notes.poll(20, TimeUnit.SECONDS));
  }

  /**
   * The Go responder is SIGKILLed with every call in flight (its handlers held on a latch, so all of them
   * really are in flight): every call fails within 2 s, as PeerGoneException with requestWritten true (each
   * request had reached the handler), none hangs and none is answered; a new Go responder on the same pair
   * serves the same client object.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void responderKilledWithCallsInFlightThenRestarted() throws Exception {
    Child go = go();
    RpcClient<Object> c = client();
    assertTrue(c.awaitConnected(LINE));
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      calls.add(c.call("latch", "l" + i, String.class, Duration.ofSeconds(120)));
    }
    go.await("ENTERED " + IN_FLIGHT, Duration.ofSeconds(60));
    long killed = System.nanoTime();
    go.kill();
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(t -> null).get(2, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(tookMs < 2000, "every call ended within 2 s of the kill: " + tookMs + " ms");
    for (CompletableFuture<String> f : calls) {
      RpcException e = failure(f);
      assertTrue(e instanceof PeerGoneException, e.toString());
      PeerGoneException p = (PeerGoneException) e;
      assertTrue(p.requestWritten(), "the request had reached the handler: " + p.getMessage());
      assertEquals(PeerGoneException.Reason.EXITED, p.reason(), p.getMessage());
    }
    assertEquals(IN_FLIGHT, c.metrics().callsFailed(RpcStatus.UNAVAILABLE));
    assertEquals(0, c.metrics().callsSucceeded());

    go(); // a sidecar restart: the same client object reconnects
    assertEquals("back", c.callBlocking("echo", "back", String.class, Duration.ofSeconds(30)));
    assertEquals(1, c.metrics().reconnects());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"SERVICE, -service|orders, quotes, string, quotes, orders",
      "CODEC, -codec|json, default, string, string, json",
      "VERSION, -hello-version|2, default, string, 1, 2"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void handshakeMismatchesFailBothSides(HandshakeException.Field field, String goArgs, String service, String codec,
      String javaValue, String goValue) throws Exception {
    Child go = go(goArgs.split("\\|"));
    RpcClient<Object> c = client(service, codec, null);
    HandshakeException e = assertThrows(HandshakeException.class, () -> c.awaitConnected(LINE));
    assertEquals(field, e.field(), e.getMessage());
    assertEquals(javaValue, e.localValue(), e.getMessage());
    assertEquals(goValue, e.remoteValue(), e.getMessage());
    String line = go.await("HANDSHAKE-FAILED", LINE);
    assertTrue(line.startsWith("HANDSHAKE-FAILED " + field.name().toLowerCase(Locale.ROOT) + " local=" + goValue
        + " remote=" + javaValue + " "), line);
    RpcException call = assertThrows(RpcException.class, () -> c.callBlocking("echo", "x", String.class,
        Duration.ofSeconds(5)));
    assertTrue(call instanceof HandshakeException, "the client stopped: " + call);
  }
}
