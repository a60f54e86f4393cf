package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.Deadline;
import dev.fifochan.fifo.FifoPair;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The responder over a real FIFO pair in this JVM: a client that vanishes mid-call (its handler is
 * cancelled, the next client is served), the in-flight limit, calls that arrive during a graceful
 * shutdown, and handlers run on the connection's thread with a direct executor.
 */
class ResponderTest {
  private static final Duration D = Duration.ofSeconds(10);

  /**
   * docs/rpc.md §10, stale bytes: a connection's inbound stream must begin at a preamble. Bytes of an
   * older writer session (the worked example's hello frame without its preamble, written by a process that
   * holds the request FIFO's write end as a client that has not yet noticed a restart does) make the
   * stream corrupt: the responder gives up that connection as a failed attempt (not a handshake mismatch)
   * and serves the next client. Go: TestStaleBytesWithoutAPreambleBreakTheConnection.
   */
  @Test
  void staleBytesWithoutAPreambleBreakTheConnectionAndTheNextClientIsServed() throws Exception {
    Path dir = Rpc.dir("stale");
    FifoPair pair = Rpc.pair(dir, "");
    for (Path p : new Path[] {pair.requestPath(), pair.responsePath()}) {
      assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor());
    }
    BlockingQueue<Throwable> failures = new ArrayBlockingQueue<>(10);
    RpcResponder.Builder<String> b = RpcResponder.builder(Codecs.string()).listener(new ConnectionListener() {
      @Override
      public void disconnected(RpcPeer peer, Throwable cause) {
        failures.add(cause == null ? new AssertionError("closed locally") : cause);
      }
    });
    TestOps.register(b, new CountDownLatch(1), new AtomicInteger(), e -> {});
    try (RpcResponder<String> responder = b.build()) {
      responder.serve(pair.acceptor(ChannelConfig.defaults()));
      // the old client's ends: its read end of the responses (opening waits for the responder's write end)
      CompletableFuture<FileInputStream> responses = CompletableFuture.supplyAsync(() -> {
        try {
          return new FileInputStream(pair.responsePath().toFile());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try (FileOutputStream requests = new FileOutputStream(pair.requestPath().toFile())) {
        requests.write(new byte[] {0, 0, 0, 0, 0x04, 0, 0, 0x0f, 0x07, 'f', 'c', '-', 'k', 'i', 'n', 'd', 0, 0x05,
            'h', 'e', 'l', 'l', 'o'});
        requests.flush();
        Throwable cause = failures.poll(20, TimeUnit.SECONDS);
        assertInstanceOf(CorruptFrameException.class, cause, String.valueOf(cause));
        assertFalse(cause instanceof HandshakeException);
      } finally {
        responses.get(20, TimeUnit.SECONDS).close();
      }
      try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
          .build()) {
        assertEquals("fresh", client.callBlocking("echo", "fresh", String.class, Duration.ofSeconds(20)));
      }
    }
  }

  @Test
  void aClientThatVanishesCancelsItsCallsAndTheNextClientIsServed() throws Exception {
    Path dir = Rpc.dir("vanish");
    BlockingQueue<String> events = new ArrayBlockingQueue<>(100);
    RpcResponder.Builder<String> b = RpcResponder.builder(Codecs.string());
    TestOps.register(b, new CountDownLatch(1), new AtomicInteger(), events::add);
    RpcResponder<String> responder = b.build();
    try {
      responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
      RawPeer raw = new RawPeer(Rpc.pair(dir, "").connector(ChannelConfig.defaults()).connect(Deadline.after(D)));
      raw.hello("1", "client");
      assertEquals("hello", raw.next().get("fc-kind"));
      raw.send("v1", "fc-kind", "call", "fc-id", "7", "fc-op", "hang");
      assertEquals("HANG v1 remaining-ms=-1", events.poll(10, TimeUnit.SECONDS)); // no fc-timeout: no deadline
      raw.close(); // gone without an end of stream, as a killed process
      assertEquals("CANCELLED v1 UNAVAILABLE", events.poll(10, TimeUnit.SECONDS));
      try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
        assertEquals("next", client.callBlocking("echo", "next", String.class, D));
      }
      RpcMetrics m = responder.metrics();
      assertEquals(2, m.connections());
      assertTrue(m.connectionFailures() >= 1, m.toString());
      assertEquals(1, m.callsFailed(RpcStatus.UNAVAILABLE), m.toString());
    } finally {
      assertTrue(responder.shutdown(D));
    }
  }

  @Test
  void callsBeyondTheLimitAndCallsDuringShutdownAreRefusedWithoutRunning() throws Exception {
    Path dir = Rpc.dir("limits");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
        .config(RpcConfig.builder().maxCallsInFlight(2).build())
        .handle("wait", String.class, (s, call) -> {
          ran.incrementAndGet();
          release.await();
          return s;
        })
        .build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      CompletableFuture<String> one = client.call("wait", "1", String.class, D);
      CompletableFuture<String> two = client.call("wait", "2", String.class, D);
      while (ran.get() < 2) {
        Thread.sleep(5);
      }
      RpcException three = assertInstanceOf(RpcException.class, Rpc.failure(client.call("wait", "3", String.class, D)));
      assertEquals(RpcStatus.RESOURCE_EXHAUSTED, three.status());
      assertTrue(three.isRemote());
      CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> responder.shutdown(D));
      Thread.sleep(300); // going away has reached the client: new calls wait for another connection
      RpcException late = assertInstanceOf(RpcException.class,
          Rpc.failure(client.call("wait", "4", String.class, Duration.ofMillis(300))));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, late.status());
      assertFalse(late.isRemote(), "never sent");
      release.countDown();
      assertEquals("1", one.get(10, TimeUnit.SECONDS));
      assertEquals("2", two.get(10, TimeUnit.SECONDS));
      assertTrue(drained.get(10, TimeUnit.SECONDS));
      assertEquals(2, ran.get());
    }
  }

  @Test
  void aDirectExecutorRunsHandlersOnTheConnectionThread() throws Exception {
    Path dir = Rpc.dir("direct");
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
        .executor(Runnable::run)
        .handle("thread", String.class, (s, call) -> Thread.currentThread().getName())
        .build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      assertTrue(client.callBlocking("thread", "", String.class, D).startsWith("fifochan-rpc-responder-"));
    } finally {
      assertTrue(responder.shutdown(D));
    }
  }
}
