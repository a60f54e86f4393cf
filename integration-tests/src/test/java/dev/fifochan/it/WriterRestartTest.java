package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ReceiveTimeoutException;
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
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, true)) {
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
      assertEquals(3L * PER_WRITER, r.stats().messagesReceived());
      // The third writer's end of stream is read by the next call, which then waits for a fourth writer.
      assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(200)));
      assertEquals(3, r.stats().sessionsStarted(), r.stats().toString());
      assertEquals(3, r.stats().sessionsEnded(), "three clean writer sessions: " + r.stats());
      assertFalse(r.isEnded());
    }
  }

  /**
   * {@code receive(timeout)} gives up after its timeout with {@link ReceiveTimeoutException}, also in
   * follow mode while the receiver waits for the next writer (the open timeout does not apply). (In
   * 0.1, {@code poll(timeout)} once waited for the whole open timeout there: found 2026-11-26.)
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingReaderTimedReceiveGivesUpAfterItsTimeoutWhileWaitingForTheNextWriter() throws Exception {
    Path fifo = fifo("poll");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, config().build(),
        options().follow(true).openTimeout(Duration.ofSeconds(15)).build())) {
      ChildProcess child = procs.java("writer-1", "send", "--path", fifo.toString(), "--codec", "string",
          "--writer", "1", "--count", "10");
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < 10; i++) {
        got.accept(Messages.check(Messages.Kind.STRING, r.receive(), 0));
      }
      assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
      ReceiveTimeoutException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(200))),
          "receive(200 ms) must give up long before the 15 s open timeout");
      assertEquals(Duration.ofMillis(200), e.timeout());
      assertFalse(r.isEnded());
    }
  }

  /**
   * A following receiver's {@code receive()} waits for the next writer without limit (the open
   * timeout, here shorter than a JVM's start-up, does not apply), while {@code receive(timeout)} gives
   * up after its own timeout.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void followingReaderWaitsForALateWriterBeyondTheOpenTimeoutWhileTimedReceiveGivesUpOnTime() throws Exception {
    Path fifo = fifo("late");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, config().build(),
        options().follow(true).openTimeout(Duration.ofMillis(200)).build())) {
      for (int i = 0; i < 3; i++) {
        assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(100))), "no writer yet");
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
      assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(100))), "the writer is gone");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void nonFollowingReaderReadsSecondWriterThatOpenedBeforeTheFirstClosed() throws Exception {
    Path fifo = fifo("overlap");
    // Writer 1 sends its messages, then keeps the FIFO open (so the reader cannot see end of file)
    // until writer 2 has opened, sent everything and closed; only then does writer 1 close.
    ChildProcess first = procs.java("writer-1", "send", "--path", fifo.toString(), "--codec", "string",
        "--writer", "1", "--count", Integer.toString(PER_WRITER), "--hold");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, false)) {
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
      assertThrows(ReceiveTimeoutException.class, () -> r.receive(Duration.ofMillis(200)),
          "writer 1 still holds the FIFO open: no end yet, no message");
      assertFalse(r.isEnded(), "the stream must not end while writer 1 is open");
      first.sendLine("close");
      assertNull(r.receive(), "clean end once both writers sent end of stream");
      assertTrue(r.isEnded());
      assertEquals(Map.of(1, (long) PER_WRITER, 2, (long) PER_WRITER), got.perWriter());
    }
    assertEquals(0, first.awaitExit(Duration.ofSeconds(20)), first::describe);
  }
}
