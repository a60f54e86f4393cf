package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.Duplex;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two FIFOs as one connection: either side may start first; requests and responses cross. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoPairTest {
  private static final ChannelConfig CONFIG = ChannelConfig.builder().flushDelay(Duration.ZERO).build();

  @TempDir Path dir;

  private FifoPair pair() {
    return FifoPair.of(dir.resolve("requests"), dir.resolve("responses"), FifoOptions.defaults());
  }

  /** The responder: answers each request with its upper case until the client's stream ends. */
  private static CompletableFuture<Integer> respond(Acceptor acceptor) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        Duplex d = acceptor.accept(Deadline.after(Duration.ofSeconds(20)));
        int answered = 0;
        try (Receiver<String> requests = Receiver.over(d.source(), Codecs.string(), CONFIG);
            Sender<String> responses = Sender.over(d.sink(), Codecs.string(), CONFIG)) {
          for (String q : requests) {
            responses.send(q.toUpperCase(java.util.Locale.ROOT));
            answered++;
          }
        }
        return answered;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"responder", "client"})
  @SuppressWarnings("try") // closing the request stream early is the point
  void eitherSideMayStartFirst(String first) throws Exception {
    FifoPair pair = pair();
    Acceptor acceptor = pair.acceptor(CONFIG);
    CompletableFuture<Integer> responder = null;
    if (first.equals("responder")) {
      responder = respond(acceptor);
      Thread.sleep(300);
    }
    CompletableFuture<Duplex> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return pair.connector(CONFIG).connect(Deadline.after(Duration.ofSeconds(20)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    if (first.equals("client")) {
      Thread.sleep(300);
      responder = respond(acceptor);
    }
    Duplex d = connecting.get(20, TimeUnit.SECONDS);
    try (Sender<String> requests = Sender.over(d.sink(), Codecs.string(), CONFIG);
        Receiver<String> responses = Receiver.over(d.source(), Codecs.string(), CONFIG)) {
      for (int i = 0; i < 100; i++) {
        requests.send("call " + i);
        assertEquals("CALL " + i, responses.receive(Duration.ofSeconds(10)));
      }
      requests.close(); // ends our stream; the responder then ends its own
      assertNull(responses.receive(Duration.ofSeconds(10)), "the responder ended its stream after ours");
    }
    assertEquals(100, responder.get(20, TimeUnit.SECONDS));
    acceptor.close();
  }

  @Test
  void aConnectWithoutResponderTimesOutAndAnAcceptWithoutClientReturnsNull() throws Exception {
    FifoPair pair = pair();
    long t0 = System.nanoTime();
    assertThrows(OpenTimeoutException.class, () -> pair.connector(CONFIG).connect(Deadline.after(Duration.ofMillis(300))));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 290 && ms < 5_000, "after " + ms + " ms");
    Acceptor acceptor = pair.acceptor(CONFIG);
    assertNull(acceptor.accept(Deadline.after(Duration.ofMillis(300))));
    acceptor.close();
  }

  @Test
  void closingTheAcceptorCancelsAPendingAccept() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    Acceptor acceptor = pair().acceptor(CONFIG);
    CompletableFuture<Throwable> accepting = CompletableFuture.supplyAsync(() -> {
      try {
        acceptor.accept(Deadline.none());
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    Thread.sleep(300);
    long t0 = System.nanoTime();
    acceptor.close();
    assertInstanceOf(ClosedChannelException.class, accepting.get(5, TimeUnit.SECONDS));
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    assertThrows(ClosedChannelException.class, () -> acceptor.accept(Deadline.none()));
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  /** Accepts in another thread while this one connects; returns both ends' connections. */
  private Duplex[] connected(FifoPair pair, ChannelConfig config) throws Exception {
    Acceptor acceptor = pair.acceptor(config);
    CompletableFuture<Duplex> accepted = CompletableFuture.supplyAsync(() -> {
      try {
        return acceptor.accept(Deadline.after(Duration.ofSeconds(20)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Duplex client = pair.connector(config).connect(Deadline.after(Duration.ofSeconds(20)));
    return new Duplex[] {client, accepted.get(20, TimeUnit.SECONDS)};
  }

  /**
   * Request/response closes a connection under a send that waits for room (the peer stopped
   * reading): the send ends at once with AsynchronousCloseException (not sent), not with a timeout.
   */
  @Test
  void closingTheConnectionEndsASendWaitingForRoom() throws Exception {
    ChannelConfig small = ChannelConfig.builder().bufferSize(4096).flushDelay(Duration.ZERO).build();
    Duplex[] ends = connected(pair(), small);
    Sender<byte[]> tx = Sender.over(ends[0].sink(), Codecs.bytes(), small);
    while (tx.offer(new byte[1000]) > 0) {
      // the responder never reads: fill its pipe
    }
    Thread[] sender = new Thread[1];
    CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
      sender[0] = Thread.currentThread();
      try {
        tx.send(new byte[1000], Duration.ofSeconds(30));
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    awaitInside(sender, "awaitReady");
    long t0 = System.nanoTime();
    ends[0].close();
    Throwable e = blocked.get(20, TimeUnit.SECONDS);
    assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, e);
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
    assertEquals(0, tx.stats().timeouts());
    ends[1].close();
  }

  /** Waits until the thread in {@code holder} (set by the task) is inside a method named {@code method}. */
  static void awaitInside(Thread[] holder, String method) throws InterruptedException {
    long end = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() - end < 0) {
      Thread t = holder[0];
      if (t != null && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method))) {
        return;
      }
      Thread.sleep(5);
    }
    org.junit.jupiter.api.Assertions.fail("never inside " + method);
  }

  @Test
  void closingTheConnectorCancelsAPendingConnect() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    dev.fifochan.spi.Connector connector = pair().connector(CONFIG);
    Thread[] connecting = new Thread[1];
    CompletableFuture<Throwable> attempt = CompletableFuture.supplyAsync(() -> {
      connecting[0] = Thread.currentThread();
      try {
        connector.connect(Deadline.after(Duration.ofSeconds(30))); // no responder comes
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    awaitInside(connecting, "connectFd");
    long t0 = System.nanoTime();
    connector.close();
    assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, attempt.get(5, TimeUnit.SECONDS));
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    assertThrows(ClosedChannelException.class, () -> connector.connect(Deadline.after(Duration.ofSeconds(1))));
    connector.close(); // idempotent
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  /**
   * One connection at a time: an accept called while the connection accepted last is open waits until
   * both its halves are closed (it used to fail at once on the request FIFO's reader lock), and one
   * whose deadline passes meanwhile returns null.
   */
  @Test
  void aSecondAcceptWaitsUntilThePreviousConnectionIsClosed() throws Exception {
    FifoPair pair = pair();
    Acceptor acceptor = pair.acceptor(CONFIG);
    CompletableFuture<Duplex> first = CompletableFuture.supplyAsync(() -> {
      try {
        return acceptor.accept(Deadline.after(Duration.ofSeconds(20)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Duplex client1 = pair.connector(CONFIG).connect(Deadline.after(Duration.ofSeconds(20)));
    Duplex server1 = first.get(20, TimeUnit.SECONDS);

    long t0 = System.nanoTime();
    assertNull(acceptor.accept(Deadline.after(Duration.ofMillis(300))), "the deadline passed while the first was open");
    assertTrue((System.nanoTime() - t0) / 1_000_000 >= 290);

    Thread[] accepting = new Thread[1];
    CompletableFuture<Duplex> second = CompletableFuture.supplyAsync(() -> {
      accepting[0] = Thread.currentThread();
      try {
        return acceptor.accept(Deadline.after(Duration.ofSeconds(30)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    awaitInside(accepting, "awaitPreviousClosed");
    // The first connection ends the way request/response ends one: each side closes its sender and receiver.
    Sender<String> tx1 = Sender.over(server1.sink(), Codecs.string(), CONFIG);
    Receiver<String> rx1 = Receiver.over(server1.source(), Codecs.string(), CONFIG);
    client1.close();
    tx1.abort("client gone");
    Thread.sleep(200);
    assertTrue(!second.isDone(), "one half of the first connection is still open");
    rx1.close();

    Duplex client2 = pair.connector(CONFIG).connect(Deadline.after(Duration.ofSeconds(20)));
    Duplex server2 = second.get(20, TimeUnit.SECONDS);
    try (Receiver<String> a = Receiver.over(server2.source(), Codecs.string(), CONFIG);
        Sender<String> q = Sender.over(client2.sink(), Codecs.string(), CONFIG)) {
      q.send("over the second connection");
      assertEquals("over the second connection", a.receive(Duration.ofSeconds(10)));
    }
    client2.close();
    server2.close();
    acceptor.close();
  }

  @Test
  void closingTheAcceptorEndsAnAcceptWaitingForThePreviousConnection() throws Exception {
    FifoPair pair = pair();
    Acceptor acceptor = pair.acceptor(CONFIG);
    CompletableFuture<Duplex> first = CompletableFuture.supplyAsync(() -> {
      try {
        return acceptor.accept(Deadline.after(Duration.ofSeconds(20)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Duplex client = pair.connector(CONFIG).connect(Deadline.after(Duration.ofSeconds(20)));
    Duplex server = first.get(20, TimeUnit.SECONDS);
    Thread[] accepting = new Thread[1];
    CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> {
      accepting[0] = Thread.currentThread();
      try {
        acceptor.accept(Deadline.none());
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    awaitInside(accepting, "awaitPreviousClosed");
    acceptor.close();
    assertInstanceOf(ClosedChannelException.class, second.get(5, TimeUnit.SECONDS));
    client.close();
    server.close();
  }

  @Test
  void theTwoPathsMustDiffer() {
    assertThrows(IllegalArgumentException.class, () -> FifoPair.of(dir.resolve("x"), dir.resolve("x"), FifoOptions.defaults()));
  }
}
