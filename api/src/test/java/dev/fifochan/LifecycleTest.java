package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** offer, flush timeouts, heartbeats and liveness, the spinning wait strategy, and how ends end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {

  @Test
  void offerNeverWaitsAndSaysWhatHappened() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig config = ChannelConfig.builder().bufferSize(4096).flushDelay(Duration.ZERO).build();
    Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), config);
    int accepted = 0;
    long t0 = System.nanoTime();
    long result;
    while ((result = tx.offer(new byte[1000])) > 0) {
      accepted++;
      assertEquals(accepted, result, "an accepted offer returns its sequence number");
    }
    assertEquals(Sender.BACK_PRESSURED, result);
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000, "offer never waits");
    assertTrue(accepted > 30, "the pipe took " + accepted);
    assertEquals(SendStatus.BACK_PRESSURED, SendStatus.of(tx.offer(new byte[1000])));
    assertEquals(accepted, tx.stats().messagesWritten(), "with a zero flush delay, accepted means in the pipe");
    pipe.source().read(java.nio.ByteBuffer.allocate(1 << 16)); // the reader catches up
    assertEquals(accepted + 1, tx.offer(new byte[10]), "the next sequence number: refused offers take none");
    assertEquals(accepted + 2, tx.send(new byte[10]), "send and offer share the sequence");
    tx.abort("done");
    assertEquals(Sender.CLOSED, tx.offer(new byte[10]));
    assertEquals(SendStatus.CLOSED, SendStatus.of(Sender.CLOSED));
    assertThrows(IllegalArgumentException.class, () -> SendStatus.of(0));
  }

  @Test
  void aTimedFlushGivesUpAndTheMessagesStayAccepted() throws Exception {
    Pipe pipe = Pipe.open();
    Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), ChannelConfig.builder().flushDelay(Duration.ofDays(1)).build());
    for (int i = 0; i < 100; i++) {
      tx.send(new byte[1000]); // 100 KB: more than the pipe takes
    }
    SendTimeoutException e = assertThrows(SendTimeoutException.class, () -> tx.flush(Duration.ofMillis(100)));
    assertEquals(FifochanTimeoutException.Operation.FLUSH, e.operation());
    assertTrue(tx.stats().messagesPending() > 0);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
      try (Receiver<byte[]> rx = Receiver.over(pipe.source(), Codecs.bytes(), ChannelConfig.defaults())) {
        int n = 0;
        while (rx.receive() != null) {
          n++;
        }
        return new byte[n];
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
    });
    tx.close();
    assertEquals(100, reader.get(10, TimeUnit.SECONDS).length, "every accepted message arrived");
  }

  @Test
  void heartbeatsKeepAnIdleWritersReaderFromTimingOut() throws Exception {
    Pipe pipe = Pipe.open();
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(),
        ChannelConfig.builder().heartbeatInterval(Duration.ofMillis(50)).build());
    Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(),
        ChannelConfig.builder().livenessTimeout(Duration.ofMillis(600)).build());
    tx.send("first");
    assertEquals("first", rx.receive(Duration.ofSeconds(5)));
    // 2 s of silence from the application: heartbeats arrive, no liveness timeout, no message.
    assertThrows(ReceiveTimeoutException.class, () -> rx.receive(Duration.ofSeconds(2)));
    assertTrue(rx.stats().heartbeatsReceived() >= 3, rx.stats().toString());
    assertTrue(tx.stats().heartbeatsSent() >= 3, tx.stats().toString());
    assertEquals(0, rx.stats().livenessTimeouts());
    tx.send("second");
    assertEquals("second", rx.receive(Duration.ofSeconds(5)), "heartbeats are never delivered");
    tx.close();
    assertNull(rx.receive(Duration.ofSeconds(5)));
    rx.close();
  }

  @Test
  void aSilentWriterTripsTheLivenessTimeout() throws Exception {
    Pipe pipe = Pipe.open();
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), ChannelConfig.defaults()); // no heartbeats
    Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(),
        ChannelConfig.builder().livenessTimeout(Duration.ofMillis(300)).build());
    long t0 = System.nanoTime(); // before the last sign of life, so the silence measured from here is at least 300 ms
    tx.send("only");
    assertEquals("only", rx.receive());
    LivenessTimeoutException e = assertThrows(LivenessTimeoutException.class, rx::receive);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 300 && ms < 10_000, "after " + ms + " ms");
    assertEquals(1, e.openSessions());
    assertEquals(Duration.ofMillis(300), e.timeout());
    assertEquals(12 + 10, e.position(), "after the preamble (12 bytes) and the frame of \"only\" (6 + 4 bytes)");
    assertTrue(e.getMessage().contains("at position 22"), e.getMessage());
    assertTrue(rx.isOpen(), "a liveness timeout leaves the receiver usable");
    tx.send("late");
    assertEquals("late", rx.receive(Duration.ofSeconds(5)));
    tx.close();
    rx.close();
  }

  @Test
  void theSpinningStrategyDeliversAndStillHonoursDeadlines() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig spinning = ChannelConfig.builder()
        .waitStrategy(WaitStrategy.spinning(Duration.ofMillis(1), Duration.ofMillis(1))).flushDelay(Duration.ZERO).build();
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), spinning);
    Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), spinning);
    CompletableFuture<List<String>> got = CompletableFuture.supplyAsync(() -> {
      List<String> all = new ArrayList<>();
      try {
        for (String s; (s = rx.receive()) != null; ) {
          all.add(s);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return all;
    });
    for (int i = 0; i < 2000; i++) {
      tx.send("m" + i);
    }
    tx.close();
    assertEquals(2000, got.get(20, TimeUnit.SECONDS).size());
    Pipe idle = Pipe.open();
    Sender<String> quiet = Sender.over(idle.sink(), Codecs.string(), spinning);
    Receiver<String> waiting = Receiver.over(idle.source(), Codecs.string(), spinning);
    long t0 = System.nanoTime();
    assertThrows(ReceiveTimeoutException.class, () -> waiting.receive(Duration.ofMillis(100)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 90 && ms < 2000, "after " + ms + " ms");
    quiet.abort("done");
    waiting.close();
  }

  @Test
  void closeAndAbortAreIdempotentAndExclusive() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Sender<String> tx = Sender.over(sink, Codecs.string(), ChannelConfig.defaults());
    assertTrue(tx.isOpen());
    tx.send("x");
    tx.close();
    assertFalse(tx.isOpen());
    tx.close();
    tx.abort("after close: a no-op");
    assertNull(tx.done().toCompletableFuture().get(), "still a clean end");
    assertThrows(ClosedChannelException.class, () -> tx.send("y"));
    assertEquals(Sender.CLOSED, tx.offer("y"));
    assertEquals(1, tx.stats().sessionsEnded());
    assertEquals(0, tx.stats().sessionsAborted());

    Sender<String> ab = Sender.over(new TestChannels.Sink(Integer.MAX_VALUE), Codecs.string(), ChannelConfig.defaults());
    ab.abort("why");
    ab.abort("again");
    ab.close(); // a no-op after abort
    ExecutionException e = assertThrows(ExecutionException.class, () -> ab.done().toCompletableFuture().get());
    assertEquals("why", assertInstanceOf(StreamAbortedException.class, e.getCause()).reason());
    assertEquals(1, ab.stats().sessionsAborted());
  }

  @Test
  void aReaderThatLeavesFailsTheSenderWithCounts() throws Exception {
    // A pipe whose reader closes: the next write gets EPIPE. The nio pipe reports it as a plain
    // IOException (a FIFO transport reports PeerClosedException); either way the sender fails,
    // done() completes exceptionally and later calls throw the failure.
    Pipe pipe = Pipe.open();
    Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), ChannelConfig.builder().flushDelay(Duration.ZERO).build());
    tx.send(new byte[10]);
    pipe.source().close();
    IOException first = assertThrows(IOException.class, () -> {
      for (int i = 0; i < 100; i++) {
        tx.send(new byte[10]);
      }
    });
    assertFalse(tx.isOpen());
    assertSame(first, assertThrows(IOException.class, () -> tx.send(new byte[1])));
    assertTrue(tx.done().toCompletableFuture().isCompletedExceptionally());
    tx.close(); // reported already: no second throw
    assertEquals(1, tx.stats().sessionsTruncated());
  }

  /**
   * Over a blocking channel (here a FileChannel on a real FIFO nobody reads) the deadline cannot
   * interrupt a write, so the scheduler closes the channel when a close runs out of time: close stays
   * bounded and reports the truncated stream.
   */
  @Test
  void closeOverABlockingChannelIsBoundedToo() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fifochan-test");
    java.nio.file.Path fifo = dir.resolve("f");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
    CompletableFuture<java.nio.channels.FileChannel> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileChannel filler = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE);
    try (java.nio.channels.FileChannel in = reader.get(10, TimeUnit.SECONDS)) {
      Sender<byte[]> tx = Sender.over(out, Codecs.bytes(), ChannelConfig.defaults());
      tx.send(new byte[100]); // written at once: a blocking channel writes through
      assertEquals(1, tx.stats().messagesWritten());
      CompletableFuture.runAsync(() -> {
        try {
          filler.write(java.nio.ByteBuffer.allocate(1 << 20)); // fills the pipe and blocks
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      Thread.sleep(300);
      long t0 = System.nanoTime();
      CloseTimeoutException e = assertThrows(CloseTimeoutException.class, () -> tx.close(Duration.ofMillis(500)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 400 && ms < 3000, "close(500 ms) took " + ms + " ms");
      assertEquals(1, e.messagesWritten());
      assertFalse(out.isOpen(), "the channel was closed to end the blocked write");
    } finally {
      filler.close();
      java.nio.file.Files.deleteIfExists(fifo);
      java.nio.file.Files.deleteIfExists(dir);
    }
  }

  private static void assertSame(Object a, Object b) {
    org.junit.jupiter.api.Assertions.assertSame(a, b);
  }
}
