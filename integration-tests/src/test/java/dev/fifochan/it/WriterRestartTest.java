package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/** Issue 2: a writer closes and a new writer opens the same FIFO while the reader keeps reading. */
class WriterRestartTest extends ProcessTestSupport {
  private static final int PER_WRITER = 3_000;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingReaderReadsEachNewWriterAfterThePreviousOneClosed() throws Exception {
    Path fifo = fifo("restart");
    ChannelConfig cfg = config().follow(true).build();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, cfg)) {
      SequenceChecker got = new SequenceChecker();
      for (int writer = 1; writer <= 3; writer++) {
        ChildProcess child = procs.java("writer-" + writer, "send", "--path", fifo.toString(), "--codec", "string",
            "--writer", Integer.toString(writer), "--count", Integer.toString(PER_WRITER));
        for (int i = 0; i < PER_WRITER; i++) {
          Object m = r.receive();
          got.accept(Messages.check(Messages.Kind.STRING, m, 0));
        }
        assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
        // The writer is gone (clean end of its stream), but a following reader does not end.
        assertFalse(r.isEnded(), "a following receiver never ends");
      }
      assertEquals(Map.of(1, (long) PER_WRITER, 2, (long) PER_WRITER, 3, (long) PER_WRITER), got.perWriter());
      assertEquals(3L * PER_WRITER, r.messagesReceived());
    }
  }

  /**
   * {@code poll(timeout)} returns null when nothing arrives in time, also in follow mode while the
   * receiver waits for the next writer. (Found failing on 2026-11-26: the receiver waited for the
   * whole open timeout in {@code SourceOpener.open()} and then threw {@code OpenTimeoutException};
   * fixed in transport-fifo bd5424d.)
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingReaderPollReturnsNullAfterItsTimeoutWhileWaitingForTheNextWriter() throws Exception {
    Path fifo = fifo("poll");
    ChannelConfig cfg = config().follow(true).openTimeout(Duration.ofSeconds(15)).build();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, cfg)) {
      ChildProcess child = procs.java("writer-1", "send", "--path", fifo.toString(), "--codec", "string",
          "--writer", "1", "--count", "10");
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < 10; i++) {
        got.accept(Messages.check(Messages.Kind.STRING, r.receive(), 0));
      }
      assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
      Object polled = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> r.poll(Duration.ofMillis(200)),
          "poll(200 ms) must give up long before the 15 s open timeout");
      assertNull(polled);
      assertFalse(r.isEnded());
    }
  }

  /**
   * A following receiver's {@code receive()} waits for the next writer without limit (the open
   * timeout, here shorter than a JVM's start-up, does not apply), while {@code poll} gives up after
   * its own timeout.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingReaderWaitsForALateWriterBeyondTheOpenTimeoutWhilePollGivesUpOnTime() throws Exception {
    Path fifo = fifo("late");
    ChannelConfig cfg = config().follow(true).openTimeout(Duration.ofMillis(200)).build();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, cfg)) {
      for (int i = 0; i < 3; i++) {
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> r.poll(Duration.ofMillis(100))),
            "no writer yet");
      }
      assertFalse(r.isEnded());
      ChildProcess child = procs.java("writer-1", "send", "--path", fifo.toString(), "--codec", "string",
          "--writer", "1", "--count", "100");
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < 100; i++) {
        got.accept(Messages.check(Messages.Kind.STRING, r.receive(), 0));
      }
      assertEquals(100, got.next(1));
      assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
      assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> r.poll(Duration.ofMillis(100))),
          "the writer is gone");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void nonFollowingReaderReadsSecondWriterThatOpenedBeforeTheFirstClosed() throws Exception {
    Path fifo = fifo("overlap");
    ChannelConfig cfg = config().build();
    // Writer 1 sends its messages, then keeps the FIFO open (so the reader cannot see end of file)
    // until writer 2 has opened, sent everything and closed; only then does writer 1 close.
    ChildProcess first = procs.java("writer-1", "send", "--path", fifo.toString(), "--codec", "string",
        "--writer", "1", "--count", Integer.toString(PER_WRITER), "--hold");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, cfg)) {
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < PER_WRITER; i++) {
        got.accept(Messages.check(Messages.Kind.STRING, r.receive(), 0));
      }
      first.awaitLine("HOLDING", CHILD_START);
      ChildProcess second = procs.java("writer-2", "send", "--path", fifo.toString(), "--codec", "string",
          "--writer", "2", "--count", Integer.toString(PER_WRITER));
      for (int i = 0; i < PER_WRITER; i++) {
        got.accept(Messages.check(Messages.Kind.STRING, r.receive(), 0));
      }
      assertEquals(0, second.awaitExit(Duration.ofSeconds(20)), second::describe);
      assertNull(r.poll(Duration.ofMillis(200)), "writer 1 still holds the FIFO open: no end yet, no message");
      assertFalse(r.isEnded(), "the stream must not end while writer 1 is open");
      first.sendLine("close");
      assertNull(r.receive(), "clean end once both writers sent end of stream");
      assertTrue(r.isEnded());
      assertEquals(Map.of(1, (long) PER_WRITER, 2, (long) PER_WRITER), got.perWriter());
    }
    assertEquals(0, first.awaitExit(Duration.ofSeconds(20)), first::describe);
  }
}
