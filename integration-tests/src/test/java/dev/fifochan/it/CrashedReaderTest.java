package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.PeerClosedException;
import dev.fifochan.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 5: a reader JVM killed mid-stream makes the sender fail promptly with
 * {@link PeerClosedException} (no hang), and its count of written messages is consistent with what
 * the reader acknowledged and what was sent.
 */
class CrashedReaderTest extends ProcessTestSupport {
  private static final int SIZE = 100;
  /** The sender must notice a dead reader well within this (generous for a loaded 2-core machine). */
  private static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void readerKilledWhileSenderIsWritingMakesSendFailPromptlyWithPeerClosed() throws Exception {
    Path fifo = fifo("reader-crash");
    ChildProcess reader = procs.java("reader", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--ack-every", "1000");
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().build(), options().build()));
    long[] killedAt = new long[1];
    CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
      reader.awaitLine("ACK 50000", Duration.ofSeconds(60));
      killedAt[0] = System.nanoTime();
      reader.kill();
    });
    long sent = 0;
    PeerClosedException failure = null;
    while (failure == null) {
      try {
        s.send(Messages.make(Messages.Kind.BYTES, 0, sent, SIZE));
        sent++;
      } catch (PeerClosedException e) {
        failure = e;
      }
    }
    long failedAt = System.nanoTime();
    killer.get(10, TimeUnit.SECONDS);
    assertTrue(failedAt - killedAt[0] < BOUND.toNanos(), "send failed " + (failedAt - killedAt[0]) / 1e6 + " ms after the kill");
    long acked = maxAck(reader);
    assertTrue(acked >= 50_000, "reader acknowledged " + acked);
    assertTrue(failure.messagesWritten() >= acked, failure.messagesWritten() + " written < " + acked + " acknowledged");
    assertTrue(failure.messagesWritten() <= sent, failure.messagesWritten() + " written > " + sent + " sent");
    assertSenderDead(s, failure);
    System.out.printf("CrashedReaderTest: sent %d, written %d, acknowledged %d, failed %.1f ms after the kill%n",
        sent, failure.messagesWritten(), acked, (failedAt - killedAt[0]) / 1e6);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void readerKilledWhileSenderIsIdleMakesNextSendOrFlushFailWithPeerClosed() throws Exception {
    Path fifo = fifo("reader-crash-idle");
    int n = 5_000;
    ChildProcess reader = procs.java("reader", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--ack-every", Integer.toString(n));
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().build(), options().build()));
    for (int seq = 0; seq < n; seq++) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, seq, SIZE));
    }
    s.flush();
    reader.awaitLine("ACK " + n, Duration.ofSeconds(30));
    reader.kill();
    long start = System.nanoTime();
    PeerClosedException failure = assertThrows(PeerClosedException.class, () -> {
      s.send(Messages.make(Messages.Kind.BYTES, 0, n, SIZE));
      s.flush();
    });
    assertTrue(System.nanoTime() - start < BOUND.toNanos());
    assertEquals(n, failure.messagesWritten(), "all " + n + " acknowledged messages were written, the new one was not");
    assertSenderDead(s, failure);
  }

  private static void assertSenderDead(Sender<Object> s, PeerClosedException failure) {
    ExecutionException done = assertThrows(ExecutionException.class,
        () -> s.done().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(PeerClosedException.class, done.getCause(), "done() fails with the same cause");
    assertThrows(java.io.IOException.class, () -> s.send(Messages.make(Messages.Kind.BYTES, 0, 0, SIZE)),
        "a failed sender stays failed");
    assertTrue(!s.isOpen(), "a failed sender is not open");
  }

  private static long maxAck(ChildProcess reader) {
    reader.awaitExit(Duration.ofSeconds(10));
    return reader.stdoutLines().stream().filter(l -> l.startsWith("ACK "))
        .mapToLong(l -> Long.parseLong(l.substring(4))).max().orElse(0);
  }
}
