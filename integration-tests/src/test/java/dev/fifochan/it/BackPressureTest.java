package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.SendTimeoutException;
import dev.fifochan.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 5: a fast writer and a paused reader: the writer is held back by the full pipe (bounded
 * memory, no queue), a timed send gives up with {@link SendTimeoutException}, and the stream stays
 * intact: every accepted message arrives, the timed-out one does not.
 */
class BackPressureTest extends ProcessTestSupport {
  private static final int SIZE = 100;
  private static final int FRAME = 6 + SIZE;
  private static final int BUFFER = 64 * 1024;
  private static final int READ_BEFORE_PAUSE = 1_000;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void pausedReaderBlocksWriterAndTimedSendTimesOutWithoutDamagingTheStream() throws Exception {
    Path fifo = fifo("slow");
    ChildProcess reader = procs.java("reader", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--pause-after", Integer.toString(READ_BEFORE_PAUSE),
        "--pipe-size", Integer.toString(BUFFER), "--allow-gaps");
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().bufferSize(BUFFER).build(),
        options().pipeSize(BUFFER).build()));
    Duration timeout = Duration.ofMillis(100);
    // Phase 1: the reader reads READ_BEFORE_PAUSE messages, then stops reading.
    long seq = 0;
    for (; seq < READ_BEFORE_PAUSE; seq++) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, seq, SIZE));
    }
    s.flush();
    reader.awaitLine("PAUSED " + READ_BEFORE_PAUSE, Duration.ofSeconds(30));
    // Phase 2: with the reader paused, timed sends fill the pipe and our buffer, then give up.
    SendTimeoutException timedOut = null;
    long timedOutAfterNanos = 0;
    // Upper bound of what can be in flight: our buffer, the largest pipe Linux allows by default
    // (1 MiB), the reader's read buffer (256 KiB), and what it read before pausing. A sender that
    // queued instead of blocking would blow through it.
    long bound = READ_BEFORE_PAUSE + (BUFFER + (1 << 20) + 256 * 1024) / FRAME + 1;
    while (timedOut == null) {
      assertTrue(seq <= bound, "sender accepted " + seq + " messages while the reader was paused: not bounded");
      long t0 = System.nanoTime();
      try {
        s.send(Messages.make(Messages.Kind.BYTES, 0, seq, SIZE), timeout);
        seq++;
      } catch (SendTimeoutException e) {
        timedOut = e;
        timedOutAfterNanos = System.nanoTime() - t0;
      }
    }
    assertEquals(timeout, timedOut.timeout(), timedOut.getMessage());
    assertEquals(0, timedOut.bytesTransferred, "not sent: no byte of it was written");
    long accepted = seq;
    assertTrue(accepted > READ_BEFORE_PAUSE, "accepted " + accepted);
    assertTrue(timedOutAfterNanos >= timeout.toNanos(), "gave up after " + timedOutAfterNanos / 1e6 + " ms, before the timeout");
    // A second timed send while still paused also times out; the failed one was skipped (seq + 1).
    long skipped = seq;
    assertThrows(SendTimeoutException.class,
        () -> s.send(Messages.make(Messages.Kind.BYTES, 0, skipped + 1, SIZE), timeout));
    reader.sendLine("resume");
    int after = 5_000;
    for (long q = skipped + 2; q < skipped + 2 + after; q++) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, q, SIZE));
    }
    s.close();
    s.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(accepted + after, s.stats().messagesWritten());
    assertTrue(s.stats().timeouts() >= 2 && s.stats().backPressureWaits() > 0, s.stats().toString());
    assertEquals(0, reader.awaitExit(Duration.ofSeconds(30)), reader::describe);
    assertEquals("DONE " + (accepted + after), reader.awaitLine("DONE", Duration.ofSeconds(1)), reader::describe);
    assertTrue(reader.stdoutLines().contains("GAPS [0:" + skipped + ".." + (skipped + 1) + "]"),
        "only the two timed-out messages are missing: " + reader.describe());
    System.out.printf("BackPressureTest: %d messages accepted while paused (bound %d), timed send gave up after %.1f ms%n",
        accepted, bound, timedOutAfterNanos / 1e6);
  }
}
