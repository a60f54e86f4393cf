package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 2: one million small messages (100-byte payloads carrying their sequence number and
 * seq-derived filler) cross a FIFO between two JVMs complete, intact and in order, and the stream
 * ends cleanly. {@code -Dfifochan.it.million=N} changes the count.
 */
class MillionMessagesTest extends ProcessTestSupport {
  private static final int COUNT = knob("fifochan.it.million", 1_000_000);
  private static final int SIZE = 100;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void millionSmallMessagesFromChildJvmArriveCompleteInOrderWithCleanEnd() throws Exception {
    Path fifo = fifo("million");
    ChildProcess child = procs.java("sender", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--count", Integer.toString(COUNT));
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = receiveAll(r, Messages.Kind.BYTES, SIZE);
      assertEquals(COUNT, got.total());
      assertEquals(COUNT, got.next(0), "last seq + 1");
      assertTrue(r.isEnded(), "clean end of stream");
      assertNull(r.receive());
      assertEquals(COUNT, r.stats().messagesReceived());
      assertEquals(1, r.stats().sessionsEnded(), r.stats().toString());
    }
    assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child::describe);
    // The child prints SENT only after sender.done() completed normally.
    assertEquals("SENT " + COUNT, child.awaitLine("SENT", Duration.ofSeconds(1)));
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void millionSmallMessagesToChildJvmArriveCompleteInOrderAndDoneCompletes() throws Exception {
    Path fifo = fifo("million");
    ChildProcess child = procs.java("receiver", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--ack-every", "100000");
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().build(), options().build()));
    for (int seq = 0; seq < COUNT; seq++) {
      s.send(Messages.make(Messages.Kind.BYTES, 0, seq, SIZE));
    }
    s.close();
    assertNull(s.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(COUNT, s.stats().messagesWritten());
    assertEquals(0, s.stats().messagesPending());
    assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
    assertEquals("DONE " + COUNT, child.awaitLine("DONE", Duration.ofSeconds(1)), child::describe);
  }
}
