package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Codecs;
import dev.fifochan.SendTimeoutException;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 9: with a reader that opened the FIFO and then stopped reading (alive, not
 * dead), {@code send(m, 300 ms)} timed out as documented, but {@code close()} then blocked for as
 * long as the reader lived, also from another thread, and {@code close()} from another thread did
 * not wake a {@code send()} blocked on the full pipe.
 *
 * <p>Bounds: the reader stays alive (and silent) for the whole test, at least 30 s; the close
 * timeout is 1 s and {@code close()} must return within 4 s, so the 0.1 behaviour (blocking while the
 * reader lives) overshoots it more than sevenfold.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StalledReaderTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
  private static final long CLOSE_BOUND_MS = 4_000;

  @TempDir Path dir;

  @Test
  void aTimedSendTimesOutAndCloseFromAnotherThreadWakesABlockedSendAndReturnsInTime() throws Exception {
    Path fifo = Fifo.create(dir.resolve("f"));
    FifoOptions small = FifoTesting.timeoutMillis(10_000).toBuilder().pipeSize(64 * 1024).build();
    ChannelConfig config = ChannelConfig.builder().closeTimeout(CLOSE_TIMEOUT).build();
    FifoReadChannel stalled = FifoReadChannel.unconnected(fifo, small); // opens, then never reads
    CompletableFuture<Void> readerOpen = CompletableFuture.runAsync(() -> {
      try {
        stalled.connect();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try {
      Sender<byte[]> sender = Fifo.openSender(fifo, Codecs.bytes(), config, small);
      byte[] chunk = new byte[16 * 1024];

      // 1. a timed send on the full pipe gives up in time, not sent, and the sender stays usable
      long t0 = System.nanoTime();
      SendTimeoutException timedOut = assertThrows(SendTimeoutException.class, () -> {
        for (int i = 0; i < 10_000; i++) {
          sender.send(chunk, Duration.ofMillis(300));
        }
      });
      readerOpen.get(10, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 30_000, "filling the pipe and timing out took " + ms + " ms");
      assertTrue(timedOut.getMessage() != null);
      assertTrue(sender.isOpen(), "a send timeout leaves the sender usable");

      // 2. a send without limit blocks on the full pipe; close() from another thread wakes it
      CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
        try {
          sender.send(chunk);
          return null;
        } catch (Throwable e) {
          return e;
        }
      });
      Thread.sleep(300);
      assertFalse(blocked.isDone(), "the send waits for room");
      CompletableFuture<Throwable> closing = CompletableFuture.supplyAsync(() -> {
        try {
          sender.close();
          return null;
        } catch (Throwable e) {
          return e;
        }
      });
      long c0 = System.nanoTime();
      Throwable sendOutcome = blocked.get(CLOSE_BOUND_MS, TimeUnit.MILLISECONDS);
      assertInstanceOf(AsynchronousCloseException.class, sendOutcome, "the blocked send: not sent");
      Throwable closeOutcome = closing.get(CLOSE_BOUND_MS, TimeUnit.MILLISECONDS);
      long closeMs = (System.nanoTime() - c0) / 1_000_000;
      assertTrue(closeMs < CLOSE_BOUND_MS, "close() returned after " + closeMs + " ms");
      assertInstanceOf(CloseTimeoutException.class, closeOutcome, "the reader never drained: a truncated stream, said so");
      assertFalse(sender.isOpen());
      assertTrue(stalled.isOpen(), "the reader was alive all along");
    } finally {
      stalled.close();
    }
  }
}
