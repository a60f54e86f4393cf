package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finding 7 of issue 9: a following receiver waited forever on a FIFO that was removed, or removed
 * and created again ({@code rm F; mkfifo F}); the next writer on the new FIFO timed out and the
 * follower kept descriptors on the deleted inode. Every wait for a peer now re-checks the path.
 *
 * <p>Bounds: a removal must be reported within 2 s (the re-check runs every 250 ms); the waits
 * themselves are given 10-20 s, so the 0.1 behaviour (waiting them out, or forever) overshoots the
 * bound five- to tenfold.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PathRecheckTest {
  private static final long REPORT_BOUND_MS = 2_000;
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions FOLLOW = timeoutMillis(10_000).toBuilder().follow(true).build();

  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }

  private void sendSession(String... messages) throws IOException {
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, timeoutMillis(5_000))) {
      for (String m : messages) {
        s.send(m);
      }
    }
  }

  @Test
  void aFollowerReportsARemovedFifoAndKeepsNothingOnIt() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      sendSession("before");
      assertEquals("before", FifoTesting.poll(r, Duration.ofSeconds(10)));
      Files.delete(fifo);
      long t0 = System.nanoTime();
      FifoRemovedException e = assertThrows(FifoRemovedException.class, () -> FifoTesting.poll(r, Duration.ofSeconds(20)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < REPORT_BOUND_MS, "reported after " + ms + " ms");
      assertEquals(fifo, e.path());
      assertTrue(e.getMessage().contains(fifo.toString()), e.getMessage());
      assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo), "descriptors on the removed FIFO");
      assertThrows(FifoRemovedException.class, () -> FifoTesting.poll(r, Duration.ofSeconds(1)), "and again on the next call");
    }
  }

  @Test
  void aFollowerWaitingWithoutLimitIsWokenByTheRemoval() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return r.receive();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(300);
      Files.delete(fifo);
      long t0 = System.nanoTime();
      ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(20, TimeUnit.SECONDS));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertInstanceOf(FifoRemovedException.class, e.getCause().getCause());
      assertTrue(ms < REPORT_BOUND_MS, "reported after " + ms + " ms");
      assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo));
    }
  }

  @Test
  void aFollowerMovesToAFifoCreatedAgainAndTheNextWriterGetsThrough() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      sendSession("old 1", "old 2");
      assertEquals("old 1", FifoTesting.poll(r, Duration.ofSeconds(10)));
      assertEquals("old 2", FifoTesting.poll(r, Duration.ofSeconds(10)));
      Files.delete(fifo); // rm F; mkfifo F, as restart scripts do
      Fifo.create(fifo);
      long t0 = System.nanoTime();
      sendSession("new 1", "new 2"); // 0.1: times out, nobody reads the new FIFO
      assertTrue((System.nanoTime() - t0) / 1_000_000 < REPORT_BOUND_MS + 1_000, "the writer waited too long");
      assertEquals("new 1", FifoTesting.poll(r, Duration.ofSeconds(10)));
      assertEquals("new 2", FifoTesting.poll(r, Duration.ofSeconds(10)));
      assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo), "descriptors on the old FIFO");
      FifoBusyException busy = assertThrows(FifoBusyException.class, () -> Fifo.openReadChannel(fifo, timeoutMillis(5_000)),
          "the lock was taken on the new FIFO");
      assertEquals(ProcessHandle.current().pid(), busy.holderPid().orElse(-1));
      sendSession("again"); // and it goes on
      assertEquals("again", FifoTesting.poll(r, Duration.ofSeconds(10)));
    }
  }

  @Test
  void aFollowerMovesToAFifoReplacedDuringASession() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, timeoutMillis(5_000))) {
        s.send("during");
        s.flush();
        assertEquals("during", FifoTesting.poll(r, Duration.ofSeconds(10)));
        Files.delete(fifo);
        Fifo.create(fifo);
        s.send("still the old FIFO");
      }
      assertEquals("still the old FIFO", FifoTesting.poll(r, Duration.ofSeconds(10)));
      sendSession("on the new FIFO");
      assertEquals("on the new FIFO", FifoTesting.poll(r, Duration.ofSeconds(10)));
      assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void anEndWaitingForItsPeerReportsTheRemoval(String end) throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    FifoOptions patient = timeoutMillis(20_000);
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        if (end.equals("read")) {
          Fifo.openReadChannel(fifo, patient).close();
        } else {
          Fifo.openWriteChannel(fifo, patient).close();
        }
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    Thread.sleep(300);
    Files.delete(fifo);
    long t0 = System.nanoTime();
    Throwable thrown = outcome.get(30, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertInstanceOf(FifoRemovedException.class, thrown);
    assertTrue(ms < REPORT_BOUND_MS, "reported after " + ms + " ms");
    assertTrue(Files.notExists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS), "not created again");
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void anEndWaitingForItsPeerMovesToAFifoCreatedAgain(String end) throws Exception {
    FifoOptions patient = timeoutMillis(20_000);
    CompletableFuture<FifoEnd> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return end.equals("read") ? Fifo.openReadChannel(fifo, patient) : Fifo.openWriteChannel(fifo, patient);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Thread.sleep(300);
    Files.delete(fifo);
    Fifo.create(fifo);
    long t0 = System.nanoTime();
    if (end.equals("read")) {
      try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, timeoutMillis(REPORT_BOUND_MS))) {
        w.write(java.nio.ByteBuffer.wrap(new byte[] {7}));
        try (FifoEnd r = opened.get(10, TimeUnit.SECONDS)) {
          java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
          assertEquals(1, ((FifoReadChannel) r).read(b));
          assertEquals(7, b.get(0));
        }
      }
    } else {
      try (FifoReadChannel r = FifoReadChannel.unconnected(fifo, timeoutMillis(10_000))) {
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
          try {
            r.connect();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        try (FifoEnd w = opened.get(10, TimeUnit.SECONDS)) {
          ((FifoWriteChannel) w).write(java.nio.ByteBuffer.wrap(new byte[] {9}));
          reading.get(10, TimeUnit.SECONDS);
        }
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < REPORT_BOUND_MS + 1_000, "took " + ms + " ms");
    assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo));
  }

  /** A FIFO pair's read end waits for its first writer after connecting: that wait re-checks the path too. */
  @ParameterizedTest
  @ValueSource(strings = {"removed", "created again"})
  void aPairsReadEndWaitingForItsFirstWriterFollowsThePath(String what) throws Exception {
    FifoReadChannel r = FifoReadChannel.unconnected(fifo, timeoutMillis(10_000));
    try {
      r.connectWithoutWaiting();
      CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return r.awaitReady(dev.fifochan.Deadline.after(Duration.ofSeconds(20)));
        } catch (Throwable e) {
          return e;
        }
      });
      Thread.sleep(300);
      Files.delete(fifo);
      long t0 = System.nanoTime();
      if (what.equals("removed")) {
        assertInstanceOf(FifoRemovedException.class, waiting.get(20, TimeUnit.SECONDS));
      } else {
        Fifo.create(fifo);
        try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, timeoutMillis(REPORT_BOUND_MS))) {
          w.write(java.nio.ByteBuffer.wrap(new byte[] {5}));
          assertEquals(Boolean.TRUE, waiting.get(20, TimeUnit.SECONDS));
          java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
          assertEquals(1, r.read(b));
          assertEquals(5, b.get(0));
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < REPORT_BOUND_MS + 1_000, "took " + ms + " ms");
      assertEquals(List.of(), FifoTesting.descriptorsOnDeleted(fifo));
    } finally {
      r.close();
    }
  }
}
