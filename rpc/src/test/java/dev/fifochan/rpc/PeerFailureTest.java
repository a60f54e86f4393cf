package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * The responder dies (SIGKILL), is stopped (SIGSTOP), is slow but alive, restarts, shuts down
 * gracefully: what every pending call learns, how fast, and that the same client goes on.
 */
class PeerFailureTest {
  private static final Duration D = Duration.ofSeconds(10);

  @Test
  void aKilledResponderFailsEveryCallInFlightWithinTwoSecondsAndTheSameClientRecovers() throws Exception {
    Path dir = Rpc.dir("kill");
    int n = (Rpc.size("inflight", 1000) + 99) / 100 * 100; // the handlers report every 100th
    Child first = Child.start(dir.toString());
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      assertTrue(client.awaitConnected(Duration.ofSeconds(20)));
      List<CompletableFuture<String>> calls = new ArrayList<>();
      AtomicIntegerArray endings = new AtomicIntegerArray(n);
      AtomicLongArray endedAt = new AtomicLongArray(n);
      for (int i = 0; i < n; i++) {
        int k = i;
        CompletableFuture<String> f = client.call("latch", "L" + i, String.class, Duration.ofSeconds(60));
        f.whenComplete((v, e) -> {
          endedAt.set(k, System.nanoTime());
          endings.incrementAndGet(k);
        });
        calls.add(f);
      }
      first.await("ENTERED " + n, Duration.ofSeconds(30)); // every handler holds a call
      long killedAt = System.nanoTime();
      first.kill();
      for (CompletableFuture<String> f : calls) {
        Throwable t = Rpc.failure(f);
        PeerGoneException gone = assertInstanceOf(PeerGoneException.class, t);
        assertEquals(PeerGoneException.Reason.EXITED, gone.reason(), gone.getMessage());
        assertTrue(gone.requestWritten(), "each request reached a handler, so it was written: " + gone.getMessage());
        assertEquals(RpcStatus.UNAVAILABLE, gone.status());
      }
      long slowest = 0;
      for (int i = 0; i < n; i++) {
        slowest = Math.max(slowest, endedAt.get(i) - killedAt);
      }
      System.out.printf("%d calls in flight failed within %d ms of SIGKILL%n", n, TimeUnit.NANOSECONDS.toMillis(slowest));
      assertTrue(slowest < TimeUnit.SECONDS.toNanos(2), "slowest failure after " + slowest / 1_000_000 + " ms");
      Thread.sleep(200);
      for (int i = 0; i < n; i++) {
        assertEquals(1, endings.get(i), "call " + i + " ended once");
      }
      assertEquals(n, client.metrics().callsFailed(RpcStatus.UNAVAILABLE));
      assertEquals(0, client.metrics().callsInFlight());

      try (Child second = Child.start(dir.toString())) { // the sidecar comes back
        assertTrue(client.awaitConnected(Duration.ofSeconds(20)), "reconnected");
        assertEquals("again", client.callBlocking("echo", "again", String.class, D));
        assertEquals(1, client.metrics().reconnects());
        assertEquals(0, client.metrics().lateFramesDropped());
      }
    } finally {
      first.close();
    }
  }

  @Test
  void heartbeatsTellASlowResponderFromAStoppedOneAndTheWrittenFlagTellsWhatReachedThePipe() throws Exception {
    Path dir = Rpc.dir("silent");
    RpcConfig config = RpcConfig.builder().heartbeatInterval(Duration.ofMillis(200))
        .livenessTimeout(Duration.ofMillis(1500)).build();
    try (Child child = Child.start(dir.toString(), "heartbeat=200", "liveness=1500");
        RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).config(config).build()) {
      assertTrue(client.awaitConnected(Duration.ofSeconds(20)));
      // alive but silent for 2.5 liveness timeouts: heartbeats keep the connection
      assertEquals("slept 3750", client.callBlocking("slow", "3750", String.class, D));
      assertEquals(1, client.metrics().connections());

      CompletableFuture<String> held = client.call("hang", "h1", String.class, Duration.ofSeconds(30));
      child.await("HANG h1", D);
      child.signal("STOP"); // frozen: no replies, no heartbeats
      long stoppedAt = System.nanoTime();
      int big = 40;
      String payload = "x".repeat(64 * 1024);
      ExecutorService pool = Executors.newFixedThreadPool(big);
      List<Future<CompletableFuture<String>>> sends = new ArrayList<>();
      for (int i = 0; i < big; i++) {
        sends.add(pool.submit(() -> client.call("echo", payload, String.class, Duration.ofSeconds(30))));
      }
      PeerGoneException heldGone = assertInstanceOf(PeerGoneException.class, Rpc.failure(held));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
      assertEquals(PeerGoneException.Reason.SILENT, heldGone.reason(), heldGone.getMessage());
      assertTrue(heldGone.requestWritten());
      assertTrue(tookMs >= 1400 && tookMs < 6000, "declared silent after " + tookMs + " ms");
      int written = 0;
      for (Future<CompletableFuture<String>> s : sends) {
        PeerGoneException g = assertInstanceOf(PeerGoneException.class, Rpc.failure(s.get(10, TimeUnit.SECONDS)));
        assertEquals(PeerGoneException.Reason.SILENT, g.reason(), g.getMessage());
        written += g.requestWritten() ? 1 : 0;
      }
      pool.shutdown();
      System.out.printf("stopped responder: %d of %d 64 KiB requests were written into the pipe%n", written, big);
      assertTrue(written >= 1 && written <= 16, written + " written: at most a 1 MiB pipe's worth");
      assertTrue(written < big, "the rest never reached the pipe");
      child.signal("CONT");
    }
  }

  @Test
  void aGracefulShutdownDrainsTheCallsInFlight() throws Exception {
    Path dir = Rpc.dir("drain");
    try (Child child = Child.start(dir.toString());
        RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      assertTrue(client.awaitConnected(Duration.ofSeconds(20)));
      List<CompletableFuture<String>> slow = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        slow.add(client.call("slow", "800", String.class, D));
      }
      for (int i = 0; i < 5; i++) {
        child.await("SLOW 800 started", D); // every call is running before the shutdown begins
      }
      child.send("shutdown 5000");
      for (CompletableFuture<String> f : slow) {
        assertEquals("slept 800", f.get(10, TimeUnit.SECONDS));
      }
      child.await("SHUTDOWN drained=true", D);
      assertEquals(0, child.awaitExit(D));
      // nobody answers now: a new call waits for a connection until its deadline (not written)
      RpcException e = assertThrows(() -> client.callBlocking("echo", "late", String.class, Duration.ofMillis(500)));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, e.status());
      assertFalse(client.isConnected());
    }
  }

  private static RpcException assertThrows(org.junit.jupiter.api.function.Executable e) {
    return org.junit.jupiter.api.Assertions.assertThrows(RpcException.class, e);
  }
}
