package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fifochan.OpenTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpeningTest {
  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }

  private FifoEnd unconnected(String end, FifoOptions config) throws IOException {
    return end.equals("read") ? FifoReadChannel.unconnected(fifo, config) : FifoWriteChannel.unconnected(fifo, config);
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void openWithoutPeerTimesOutAfterTheConfiguredTimeoutAndLeavesNothingOpen(String end) throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    long t0 = System.nanoTime();
    OpenTimeoutException e = assertThrows(OpenTimeoutException.class, () -> {
      if (end.equals("read")) {
        Fifo.openReadChannel(fifo, timeoutMillis(300));
      } else {
        Fifo.openWriteChannel(fifo, timeoutMillis(300));
      }
    });
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 290 && ms < 5_000, "returned after " + ms + " ms");
    assertTrue(e.getMessage().contains(fifo.toString()), e.getMessage());
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void pendingOpenIsCancelledAtOnceByCloseFromAnotherThread(String end) throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    FifoEnd ch = unconnected(end, timeoutMillis(30_000));
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        ch.connect();
        outcome.complete(null);
      } catch (Throwable e) {
        outcome.complete(e);
      }
    });
    t.start();
    Thread.sleep(200); // let it wait
    assertFalse(outcome.isDone());
    long t0 = System.nanoTime();
    ch.close();
    Throwable thrown = outcome.get(5, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertInstanceOf(ClosedChannelException.class, thrown);
    assertTrue(ms < 3_000, "cancelled after " + ms + " ms");
    t.join(5_000);
    assertFalse(ch.isOpen());
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "write"})
  void pendingOpenIsCancelledByInterruptAndKeepsTheInterruptFlag(String end) throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      started.countDown();
      try {
        if (end.equals("read")) {
          Fifo.openReadChannel(fifo, timeoutMillis(30_000));
        } else {
          Fifo.openWriteChannel(fifo, timeoutMillis(30_000));
        }
      } catch (Throwable e) {
        thrown.set(e);
      }
      flag.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    started.await();
    Thread.sleep(200);
    long t0 = System.nanoTime();
    t.interrupt();
    t.join(5_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(t.isAlive());
    assertTrue(ms < 3_000, "cancelled after " + ms + " ms");
    assertInstanceOf(InterruptedIOException.class, thrown.get());
    assertTrue(flag.get(), "interrupt flag kept");
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @Test
  void openOfAnAlreadyInterruptedThreadFailsAtOnce() throws IOException {
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedIOException.class, () -> Fifo.openReadChannel(fifo, timeoutMillis(30_000)));
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void connectOnAClosedChannelIsRefused() throws IOException {
    FifoReadChannel ch = FifoReadChannel.unconnected(fifo, timeoutMillis(100));
    ch.close();
    assertThrows(ClosedChannelException.class, ch::connect);
  }

  @Test
  void tenThousandOpenTimeoutAndCancelCyclesLeakNoDescriptorAndNoThread() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // warm up class loading, the pool's threads and the native bindings first
      runCycles(pool, 200);
      java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
      long threadsBefore = ownThreads();
      long t0 = System.nanoTime();
      runCycles(pool, 10_000);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      FifoTesting.assertNoFdLeak(fdsBefore);
      assertEquals(threadsBefore, ownThreads(), "threads after 10 000 cycles");
      assertTrue(ms < 50_000, "took " + ms + " ms");
    } finally {
      pool.shutdownNow();
    }
  }

  /** Live threads, less fifochan's shared daemons and the common pool's workers (they come and go with other tests). */
  private static long ownThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.getName().startsWith("fifochan-") && !t.getName().startsWith("ForkJoinPool")).count();
  }

  private void runCycles(ExecutorService pool, int cycles) throws Exception {
    FifoOptions instant = FifoOptions.builder().openTimeout(Duration.ZERO).build();
    FifoOptions longWait = timeoutMillis(30_000);
    for (int i = 0; i < cycles; i++) {
      switch (i % 4) {
        case 0: // read end, times out
          assertThrows(OpenTimeoutException.class, () -> Fifo.openReadChannel(fifo, instant));
          break;
        case 1: // write end, times out
          assertThrows(OpenTimeoutException.class, () -> Fifo.openWriteChannel(fifo, instant));
          break;
        case 2: { // cancelled by close from another thread
          FifoEnd ch = unconnected(i % 8 == 2 ? "read" : "write", longWait);
          Future<?> f = pool.submit(() -> {
            ch.connect();
            return null;
          });
          ch.close();
          try {
            f.get(5, TimeUnit.SECONDS);
            fail("connect did not fail");
          } catch (ExecutionException e) {
            assertInstanceOf(ClosedChannelException.class, e.getCause());
          }
          break;
        }
        default: { // cancelled by interrupt
          CountDownLatch running = new CountDownLatch(1);
          CountDownLatch finished = new CountDownLatch(1);
          String end = i % 8 == 3 ? "read" : "write";
          Future<?> f = pool.submit(() -> {
            running.countDown();
            try {
              FifoEnd ch = end.equals("read") ? Fifo.openReadChannel(fifo, longWait) : Fifo.openWriteChannel(fifo, longWait);
              ch.close();
              fail("opened without a peer");
            } catch (InterruptedIOException expected) {
              Thread.interrupted(); // the pool thread goes on
            } finally {
              finished.countDown();
            }
            return null;
          });
          running.await();
          f.cancel(true);
          assertTrue(finished.await(5, TimeUnit.SECONDS), "interrupted open did not return");
        }
      }
    }
  }
}
