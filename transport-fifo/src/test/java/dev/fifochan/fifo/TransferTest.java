package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.pattern;
import static dev.fifochan.fifo.FifoTesting.readToEnd;
import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static dev.fifochan.fifo.FifoTesting.writeFully;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Deadline;
import dev.fifochan.PeerClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransferTest {
  private static final FifoOptions CONFIG = timeoutMillis(10_000);

  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }


  private CompletableFuture<FifoReadChannel> openReaderAsync() {
    return openReaderAsync(CONFIG);
  }

  private CompletableFuture<FifoReadChannel> openReaderAsync(FifoOptions config) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReadChannel(fifo, config);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"direct", "heap"})
  void bytesCrossARealFifoBetweenTwoThreadsAndEndWithEndOfFile(String kind) throws Exception {
    byte[] data = pattern(3 * 1024 * 1024 + 17, 7); // more than the pipe holds: the writer must wait
    CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
      try (FifoReadChannel r = Fifo.openReadChannel(fifo, CONFIG)) {
        ByteBuffer buf = kind.equals("direct") ? ByteBuffer.allocateDirect(50_000) : ByteBuffer.allocate(50_000);
        return readToEnd(r, buf);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
      ByteBuffer src = kind.equals("direct") ? ByteBuffer.allocateDirect(data.length) : ByteBuffer.allocate(data.length);
      src.put(data).flip();
      writeFully(w, src);
    }
    assertArrayEquals(data, received.get(30, TimeUnit.SECONDS));
  }

  @Test
  void bytesFromAChildProcessArriveAndItsExitIsEndOfFile() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "printf 'hello from sh' > \"$0\"", fifo.toString()).start();
    try (FifoReadChannel r = Fifo.openReadChannel(fifo, CONFIG)) {
      byte[] got = readToEnd(r, ByteBuffer.allocateDirect(4096));
      assertEquals("hello from sh", new String(got, UTF_8));
    }
    assertEquals(0, p.waitFor());
  }

  @Test
  void bytesReachAChildProcessReader() throws Exception {
    Path out = dir.resolve("out");
    Process p = new ProcessBuilder("cat", fifo.toString()).redirectOutput(out.toFile()).start();
    byte[] data = pattern(200_000, 3);
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
      writeFully(w, ByteBuffer.wrap(data));
    }
    assertEquals(0, p.waitFor());
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  @SuppressWarnings("try") // the writer is closed inside on purpose
  void aReadReturnsWhatIsThereAndZeroWhenNothingIsThere() throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
      w.write(ByteBuffer.wrap("abcdef".getBytes(UTF_8)));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        ByteBuffer small = ByteBuffer.allocate(4);
        assertEquals(4, r.read(small)); // partial: the buffer is smaller than what is there
        assertEquals("abcd", new String(small.array(), UTF_8));
        ByteBuffer rest = ByteBuffer.allocateDirect(100);
        rest.position(10); // reads land at the buffer's position
        assertEquals(2, r.read(rest));
        assertEquals('e', rest.get(10));
        assertEquals('f', rest.get(11));
        assertEquals(12, rest.position());
        assertEquals(0, r.read(rest), "no bytes, writer still there");
        assertFalse(r.awaitReady(Deadline.afterNanos(TimeUnit.MILLISECONDS.toNanos(50))));
        w.close();
        assertTrue(r.awaitReady(Deadline.afterNanos(TimeUnit.SECONDS.toNanos(5))), "hang-up counts as ready");
        assertEquals(-1, r.read(rest), "end of file once the writer closed");
      }
    }
  }

  @Test
  void aWriteIntoAFullPipeIsPartialAndThenZero() throws Exception {
    FifoOptions small = CONFIG.toBuilder().pipeSize(64 * 1024).build();
    CompletableFuture<FifoReadChannel> reader = openReaderAsync(small);
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, small)) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        int capacity = w.pipeSize();
        assertEquals(64 * 1024, capacity);
        ByteBuffer big = ByteBuffer.allocateDirect(capacity * 2);
        int n = w.write(big);
        assertTrue(n > 0 && n < capacity * 2, "partial write of " + n);
        assertEquals(n, big.position(), "position advanced by what was written");
        assertEquals(0, w.write(big), "full pipe: 0, nothing lost");
        assertFalse(w.awaitReady(Deadline.afterNanos(TimeUnit.MILLISECONDS.toNanos(50))));
        ByteBuffer drain = ByteBuffer.allocateDirect(capacity * 2);
        long total = 0;
        while (total < n + 1) {
          int k = r.read(drain);
          if (k == 0) {
            r.awaitReady(Deadline.none());
          }
          total += Math.max(k, 0);
        }
        assertEquals(n + 1, total);
        assertTrue(w.awaitReady(Deadline.afterNanos(0)), "room again");
      }
    }
  }

  @Test
  void writingAfterTheReaderClosedThrowsPeerClosedException() throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      reader.get(10, TimeUnit.SECONDS).close();
      assertTrue(w.awaitReady(Deadline.afterNanos(0)), "POLLERR counts as ready");
      PeerClosedException e = assertThrows(PeerClosedException.class, () -> w.write(ByteBuffer.wrap(new byte[] {2})));
      assertTrue(e.getMessage().contains(fifo.toString()), e.getMessage());
      assertFalse(e.countsKnown(), "a raw channel does not count messages");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void awaitReadyTimesOutAndIsWokenAtOnceByClose(String end) throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG.toBuilder().pipeSize(64 * 1024).build())) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        r.read(ByteBuffer.allocate(1));
        FifoEnd waiting;
        if (end.equals("write")) {
          while (w.write(ByteBuffer.allocateDirect(1 << 20)) > 0) {
            // fill the pipe
          }
          waiting = w;
        } else {
          waiting = r;
        }
        long t0 = System.nanoTime();
        assertFalse(waiting.awaitReady(Deadline.afterNanos(TimeUnit.MILLISECONDS.toNanos(200))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 190 && ms < 5_000, "timed out after " + ms + " ms");

        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
          try {
            waiting.awaitReady(Deadline.none());
            return null;
          } catch (Throwable e) {
            return e;
          }
        });
        Thread.sleep(200);
        assertFalse(outcome.isDone());
        t0 = System.nanoTime();
        waiting.close();
        assertInstanceOf(ClosedChannelException.class, outcome.get(5, TimeUnit.SECONDS));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
        assertThrows(ClosedChannelException.class, () -> waiting.awaitReady(Deadline.afterNanos(0)));
      }
    }
  }

  @Test
  void thePipeSizeIsRequestedAndReported() throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    int max;
    try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/sys/fs/pipe-max-size")) {
      max = Integer.parseInt(new String(in.readAllBytes(), UTF_8).trim()); // Files.readString reads "1" here
    }
    int wanted = Math.min(1 << 20, max);
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG.toBuilder().pipeSize(wanted).build())) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        assertEquals(wanted, w.pipeSize());
        assertEquals(wanted, r.pipeSize());
      }
    }
  }

  @Test
  void aPipeSizeBeyondTheLimitIsIgnoredAndTheActualSizeReported() throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG.toBuilder().pipeSize(Integer.MAX_VALUE).build())) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      reader.get(10, TimeUnit.SECONDS).close();
      assertTrue(w.pipeSize() >= 4096, "actual size " + w.pipeSize());
    }
  }

  @Test
  void readAndWriteBeforeConnectAreRefused() throws IOException {
    try (FifoReadChannel r = FifoReadChannel.unconnected(fifo, CONFIG);
        FifoWriteChannel w = FifoWriteChannel.unconnected(fifo, CONFIG)) {
      assertThrows(java.nio.channels.NotYetConnectedException.class, () -> r.read(ByteBuffer.allocate(1)));
      assertThrows(java.nio.channels.NotYetConnectedException.class, () -> w.write(ByteBuffer.allocate(1)));
      assertFalse(r.isConnected());
    }
  }

  @Test
  void anInterruptEndsAwaitReadyKeepsTheFlagAndLeavesTheChannelUsable() throws Exception {
    CompletableFuture<FifoReadChannel> reader = openReaderAsync();
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
      w.write(ByteBuffer.wrap(new byte[] {1}));
      try (FifoReadChannel r = reader.get(10, TimeUnit.SECONDS)) {
        r.read(ByteBuffer.allocate(1));
        CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
        Thread t = new Thread(() -> {
          try {
            r.awaitReady(Deadline.none());
            flagKept.completeExceptionally(new AssertionError("awaitReady returned"));
          } catch (java.io.InterruptedIOException e) {
            flagKept.complete(Thread.currentThread().isInterrupted());
          } catch (Throwable e) {
            flagKept.completeExceptionally(e);
          }
        });
        t.start();
        Thread.sleep(200);
        t.interrupt();
        assertTrue(flagKept.get(5, TimeUnit.SECONDS));
        t.join(5_000);
        assertTrue(r.isOpen());
        w.write(ByteBuffer.wrap(new byte[] {2}));
        assertTrue(r.awaitReady(Deadline.afterNanos(TimeUnit.SECONDS.toNanos(5))), "a stale wake-up from the interrupt is harmless");
        ByteBuffer b = ByteBuffer.allocate(1);
        assertEquals(1, r.read(b));
        assertEquals(2, b.get(0));
        assertFalse(r.awaitReady(Deadline.afterNanos(TimeUnit.MILLISECONDS.toNanos(50))), "the wake-up pipe was drained");
      }
    }
  }

  @Test
  void closeRacingWithAReadingThreadNeverHangsAndNeverMisusesADescriptor() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    for (int i = 0; i < 200; i++) {
      CompletableFuture<FifoReadChannel> reader = openReaderAsync();
      try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, CONFIG)) {
        w.write(ByteBuffer.wrap(new byte[] {1}));
        FifoReadChannel r = reader.get(10, TimeUnit.SECONDS);
        CompletableFuture<Throwable> loop = CompletableFuture.supplyAsync(() -> {
          ByteBuffer b = ByteBuffer.allocateDirect(16);
          try {
            while (true) {
              b.clear();
              if (r.read(b) == 0) {
                r.awaitReady(Deadline.afterNanos(TimeUnit.MILLISECONDS.toNanos(1)));
              }
            }
          } catch (Throwable e) {
            return e;
          }
        });
        if (i % 2 == 0) {
          Thread.sleep(1);
        }
        r.close();
        assertInstanceOf(ClosedChannelException.class, loop.get(5, TimeUnit.SECONDS));
      }
    }
    FifoTesting.assertNoFdLeak(fdsBefore);
  }
}
