package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Codecs;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Java client against a Java responder in a child JVM, over real FIFO pairs: calls from many
 * threads, operations, error replies that keep the connection, deadlines, cancellation, slow handlers,
 * notifications both ways, server streaming. One responder serves two connections at once.
 */
class RpcEndToEndTest {
  private static final Duration D = Duration.ofSeconds(10);
  private static Path dir;
  private static Child responder;
  private static RpcClient<String> client;
  private static final BlockingQueue<String> notes = new ArrayBlockingQueue<>(100);

  @BeforeAll
  static void start() throws Exception {
    dir = Rpc.dir("e2e");
    responder = Child.start(dir.toString());
    client = Rpc.client(dir, "", Codecs.string())
        .onNotification((op, m, from) -> notes.add(op + ": " + m))
        .build();
    assertTrue(client.awaitConnected(Duration.ofSeconds(20)), "connected");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (responder != null) {
      responder.close();
    }
  }

  @Test
  void manyCallsFromManyThreadsAreEachMatchedToTheirRequestByContent() throws Exception {
    int calls = Rpc.size("calls", 100_000);
    int callers = Rpc.size("callers", 16);
    long before = client.metrics().callsSucceeded();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    AtomicLong checked = new AtomicLong();
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int caller = c;
      done.add(pool.submit(() -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int mine = calls / callers + (caller < calls % callers ? 1 : 0);
        if (caller % 2 == 0) { // blocking callers, one call at a time
          for (int i = 0; i < mine; i++) {
            String req = "c" + caller + "-" + i + "-" + r.nextLong();
            boolean upper = (i & 1) == 1;
            String reply = client.callBlocking(upper ? "upper" : "echo", req, String.class, D);
            assertEquals(upper ? req.toUpperCase(Locale.ROOT) : req, reply);
            checked.incrementAndGet();
          }
        } else { // asynchronous callers, up to 32 calls of their own in flight
          ArrayBlockingQueue<Object[]> window = new ArrayBlockingQueue<>(32);
          for (int i = 0; i < mine; i++) {
            if (window.remainingCapacity() == 0) {
              check(window.take(), checked);
            }
            String req = "a" + caller + "-" + i + "-" + r.nextLong();
            window.add(new Object[] {req, client.call("echo", req, String.class, D)});
          }
          while (!window.isEmpty()) {
            check(window.take(), checked);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%d calls from %d callers in %.2f s: %.0f calls/s%n", calls, callers, seconds, calls / seconds);
    assertEquals(calls, checked.get());
    assertEquals(calls, client.metrics().callsSucceeded() - before);
    assertEquals(1, client.metrics().connections(), "one connection throughout");
  }

  private static void check(Object[] pending, AtomicLong checked) throws Exception {
    @SuppressWarnings("unchecked")
    CompletableFuture<String> f = (CompletableFuture<String>) pending[1];
    assertEquals(pending[0], f.get(30, TimeUnit.SECONDS));
    checked.incrementAndGet();
  }

  @Test
  void theOperationDefaultsToTheTypeTagAndTwoOperationsShareARequestType() throws Exception {
    assertEquals("plain", client.callBlocking("plain", String.class, D)); // no fc-op: the empty tag's operation
    assertEquals("x y", client.callBlocking("echo", "x y", String.class, D));
    assertEquals("X Y", client.callBlocking("upper", "x y", String.class, D));
  }

  @Test
  void errorRepliesCarryTheirStatusAndTheConnectionStaysUp() throws Exception {
    long connections = client.metrics().connections();
    RpcException unknown = assertThrows(RpcException.class, () -> client.callBlocking("nope", "q", String.class, D));
    assertEquals(RpcStatus.UNIMPLEMENTED, unknown.status());
    assertTrue(unknown.isRemote());
    assertTrue(unknown.statusMessage().contains("nope"), unknown.getMessage());

    RpcException thrown = assertThrows(RpcException.class, () -> client.callBlocking("fail", "q", String.class, D));
    assertEquals(RpcStatus.UNKNOWN, thrown.status());
    assertTrue(thrown.statusMessage().contains("IllegalStateException: boom: q"), thrown.getMessage());

    RpcException typed = assertThrows(RpcException.class, () -> client.callBlocking("status", "q", String.class, D));
    assertEquals(RpcStatus.NOT_FOUND, typed.status());
    assertEquals(5, typed.code());
    assertEquals("no such thing: q", typed.statusMessage());
    assertEquals("status", typed.operation());

    RpcException streamingAsUnary = assertThrows(RpcException.class,
        () -> client.callBlocking("count", "3", String.class, D));
    assertEquals(RpcStatus.UNIMPLEMENTED, streamingAsUnary.status());

    assertEquals("still here", client.callBlocking("echo", "still here", String.class, D));
    assertEquals(connections, client.metrics().connections(), "no reconnect");
    assertTrue(client.isConnected());
  }

  @Test
  void anUndecodableRequestAndAnUnknownTypeGetErrorRepliesOnASecondConnection() throws Exception {
    // a second client on the responder's second FIFO pair, with a codec that can send bad payloads
    try (RpcClient<Object> raw = Rpc.client(dir, "2", new NamedStringCodec("string")).build()) {
      assertTrue(raw.awaitConnected(Duration.ofSeconds(20)));
      byte[] notUtf8 = {(byte) 0xC3, 0x28};
      RpcException undecodable = assertThrows(RpcException.class,
          () -> raw.callBlocking("echo", new NamedStringCodec.Raw("", notUtf8), Object.class, D));
      assertEquals(RpcStatus.INVALID_ARGUMENT, undecodable.status());
      assertTrue(undecodable.isRemote());

      RpcException unknownType = assertThrows(RpcException.class,
          () -> raw.callBlocking(new NamedStringCodec.Raw("weird.Type", "x".getBytes(StandardCharsets.UTF_8)),
              Object.class, D));
      assertEquals(RpcStatus.UNIMPLEMENTED, unknownType.status());
      assertTrue(unknownType.statusMessage().contains("weird.Type"), unknownType.getMessage());

      assertEquals("fine", raw.callBlocking("echo", "fine", Object.class, D));
      assertEquals(1, raw.metrics().connections());
      // the first connection went on meanwhile
      assertEquals("first", client.callBlocking("echo", "first", String.class, D));
    }
  }

  @Test
  void theDeadlineTravelsToTheHandlerAndEndsTheCall() throws Exception {
    String reply = client.callBlocking("deadline", "", String.class, Duration.ofMillis(3000));
    long ms = Long.parseLong(reply.substring("remaining-ms ".length()));
    assertTrue(ms > 1500 && ms <= 3000, reply);

    long t0 = System.nanoTime();
    RpcException e = assertThrows(RpcException.class, () -> client.callBlocking("hang", "d1", String.class,
        Duration.ofMillis(400)));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(RpcStatus.DEADLINE_EXCEEDED, e.status());
    assertFalse(e.isRemote());
    assertTrue(took >= 390 && took < 3000, took + " ms");
    String hang = responder.await("HANG d1", D);
    long seen = Long.parseLong(hang.substring(hang.indexOf('=') + 1));
    assertTrue(seen > 0 && seen <= 400, hang);
    responder.await("CANCELLED d1 DEADLINE_EXCEEDED", D);
  }

  @Test
  void cancellingTheFutureSendsACancelTheHandlerObserves() throws Exception {
    long sent = client.metrics().cancelsSent();
    CompletableFuture<String> f = client.call("hang", "c1", String.class, Duration.ofSeconds(30));
    responder.await("HANG c1", D);
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
    responder.await("CANCELLED c1 CANCELLED", D);
    assertEquals(sent + 1, client.metrics().cancelsSent());
    assertEquals("after cancel", client.callBlocking("echo", "after cancel", String.class, D));
  }

  @Test
  void aSlowHandlerDoesNotHoldUpTheOthers() throws Exception {
    CompletableFuture<String> held = client.call("latch", "held", String.class, Duration.ofSeconds(60));
    for (int i = 0; i < 200; i++) {
      assertEquals("quick " + i, client.callBlocking("echo", "quick " + i, String.class, D));
    }
    assertFalse(held.isDone(), "200 calls went past a handler that is still running");
    responder.send("release");
    assertEquals("released held", held.get(10, TimeUnit.SECONDS));
  }

  @Test
  void notificationsTravelBothWays() throws Exception {
    notes.clear();
    client.notify("ping", "n1", D);
    responder.await("PING n1", D);
    assertEquals("pong: pong n1", notes.poll(10, TimeUnit.SECONDS));

    assertEquals("ok p1", client.callBlocking("push", "p1", String.class, D)); // a handler notifies its caller
    assertEquals("pushed: pushed p1", notes.poll(10, TimeUnit.SECONDS));

    responder.send("notify hello"); // the responder notifies every connection on its own
    responder.await("NOTIFIED", D);
    assertEquals("news: hello", notes.poll(10, TimeUnit.SECONDS));
    assertTrue(client.metrics().notificationsReceived() >= 3);
  }

  @Test
  void serverStreamingDeliversItemsInOrderThenTheEndOrTheError() throws Exception {
    try (RpcStream<String> s = client.callStream("count", "5", String.class, D)) {
      List<String> items = new ArrayList<>();
      s.forEach(items::add);
      assertEquals(List.of("item-0", "item-1", "item-2", "item-3", "item-4"), items);
      assertNull(s.receive());
      assertTrue(s.isDone());
    }
    try (RpcStream<String> s = client.callStream("streamfail", "x", String.class, D)) {
      assertEquals("a", s.receive());
      assertEquals("b", s.receive());
      RpcException e = assertThrows(RpcException.class, s::receive);
      assertEquals(RpcStatus.ABORTED, e.status());
      assertTrue(e.isRemote());
      assertThrows(RpcException.class, s::receive, "the failure is sticky");
    }
    RpcStream<String> unary = client.callStream("echo", "x", String.class, D);
    UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> unary.iterator().hasNext());
    assertEquals(RpcStatus.UNIMPLEMENTED, assertInstanceOf(RpcException.class, u.getCause()).status());
  }

  @Test
  void cancellingAStreamStopsTheHandler() throws Exception {
    RpcStream<String> s = client.callStream("forever", "f1", String.class, Duration.ofSeconds(30));
    assertEquals("f1-0", s.receive());
    assertEquals("f1-1", s.receive());
    assertEquals("f1-2", s.receive());
    s.cancel();
    RpcException e = assertThrows(RpcException.class, s::receive);
    assertEquals(RpcStatus.CANCELLED, e.status());
    // the cancel action and the handler's failed send run on different threads: either line may come first
    java.util.Set<String> expected = new java.util.HashSet<>(List.of("STREAM-CANCELLED f1 CANCELLED",
        "STREAM-STOPPED f1 CANCELLED"));
    while (!expected.isEmpty()) {
      expected.remove(responder.await(expected::contains, D, expected.toString()));
    }
    assertEquals("after stream", client.callBlocking("echo", "after stream", String.class, D));
  }
}
