package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.MessageTooLongException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoWriteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 5: several writer JVMs share one FIFO in fan-in mode; every message arrives whole and each
 * writer's messages in order. {@code -Dfifochan.it.fanin.writers=8 -Dfifochan.it.fanin.messages=100000}
 * is also the default (it takes about as long as 25 000: JVM start-up dominates).
 */
class FanInTest extends ProcessTestSupport {
  private static final int WRITERS = knob("fifochan.it.fanin.writers", 8);
  private static final int MESSAGES = knob("fifochan.it.fanin.messages", 100_000);
  private static final int SIZE = 40;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void manyWriterProcessesInFanInModeDeliverEveryMessageWholeAndInOrder() throws Exception {
    Path fifo = fifo("fanin");
    long start = System.nanoTime();
    // A following receiver: the writers come and go at different times; while none is open the FIFO
    // reads as end of file, and the receiver simply waits for the next one (without limit: starting
    // 8 JVMs on a busy 2-core machine can take a while).
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, true)) {
      List<ChildProcess> writers = new ArrayList<>();
      for (int w = 1; w <= WRITERS; w++) {
        writers.add(procs.java("writer-" + w, "send", "--path", fifo.toString(), "--codec", "bytes", "--fanin",
            "--size", Integer.toString(SIZE), "--writer", Integer.toString(w), "--count", Integer.toString(MESSAGES)));
      }
      SequenceChecker got = new SequenceChecker();
      long total = (long) WRITERS * MESSAGES;
      for (long i = 0; i < total; i++) {
        got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
      }
      Map<Integer, Long> expected = new HashMap<>();
      for (int w = 1; w <= WRITERS; w++) {
        expected.put(w, (long) MESSAGES);
      }
      assertEquals(expected, got.perWriter());
      for (ChildProcess c : writers) {
        assertEquals(0, c.awaitExit(Duration.ofSeconds(30)), c::describe);
        assertEquals("SENT " + MESSAGES, c.awaitLine("SENT", Duration.ofSeconds(1)));
      }
    }
    System.out.printf("FanInTest: %d writers x %d messages of %d bytes in %.1f s, all in order and intact%n",
        WRITERS, MESSAGES, SIZE, (System.nanoTime() - start) / 1e9);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void fanInWriterKilledMidStreamCorruptsNoOtherWriterAndIsReportedAsTruncatedAtTheEnd() throws Exception {
    Path fifo = fifo("fanin-kill");
    int survivors = 3;
    int perSurvivor = 30_000;
    int victim = survivors + 1;
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, true)) {
      // Holds a write end open (writing nothing) so the FIFO cannot reach end of file between
      // writers: all of them form one stream whose byte count we can predict.
      FifoWriteChannel holder = closeAfterTest(Fifo.openWriteChannel(fifo, options().build()));
      List<ChildProcess> writers = new ArrayList<>();
      for (int w = 1; w <= victim; w++) {
        writers.add(procs.java("writer-" + w, "send", "--path", fifo.toString(), "--codec", "bytes", "--fanin",
            "--size", Integer.toString(SIZE), "--writer", Integer.toString(w),
            "--count", w == victim ? "-1" : Integer.toString(perSurvivor)));
      }
      SequenceChecker got = new SequenceChecker();
      boolean killed = false;
      long survivorMessages = (long) survivors * perSurvivor;
      while (!killed || got.total() - got.next(victim) < survivorMessages) {
        got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
        if (!killed && got.next(victim) >= 1_000) {
          writers.get(victim - 1).kill();
          killed = true;
        }
      }
      for (int w = 1; w <= survivors; w++) {
        ChildProcess c = writers.get(w - 1);
        assertEquals(0, c.awaitExit(Duration.ofSeconds(30)), c::describe);
      }
      holder.close();
      TruncatedStreamException cut = null;
      while (cut == null) {
        try {
          got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
        } catch (TruncatedStreamException e) {
          cut = e;
        }
      }
      for (int w = 1; w <= survivors; w++) {
        assertEquals(perSurvivor, got.next(w), "writer " + w);
      }
      assertTrue(got.next(victim) >= 1_000);
      // Every byte accounted for: 4 preambles, 3 end-of-stream frames, every frame whole. The killed
      // writer's last write either happened whole or not at all (at most PIPE_BUF bytes).
      long expected = victim * BYTES_PREAMBLE + survivors * 6L + got.total() * (6 + SIZE);
      assertEquals(expected, cut.position(), "end of file right after the last complete record: " + cut.getMessage());
      assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, cut.reason(), cut.getMessage());
      assertEquals(1, cut.openWriters(), "the killed writer's session alone is open: " + cut.getMessage());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void fanInSenderRefusesRecordLongerThanPipeBufBeforeWritingAnything() throws Exception {
    Path fifo = fifo("fanin-big");
    int largest = PIPE_BUF - 6; // an untagged frame without checksum: 6 header bytes + payload
    ChildProcess reader = procs.java("reader", "recv", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(largest));
    Sender<Object> s = closeAfterTest(openSender(fifo, Messages.Kind.BYTES, config().build(), options().fanIn(true).build()));
    s.send(Messages.make(Messages.Kind.BYTES, 0, 0, largest));
    s.flush();
    MessageTooLongException e = assertThrows(MessageTooLongException.class,
        () -> s.send(Messages.make(Messages.Kind.BYTES, 0, 1, largest + 1)));
    assertEquals(MessageTooLongException.Limit.ATOMIC_WRITE, e.which());
    assertEquals(PIPE_BUF + 1, e.length(), "the whole record: " + e.getMessage());
    assertEquals(PIPE_BUF, e.limit());
    assertThrows(MessageTooLongException.class, () -> s.send(Messages.make(Messages.Kind.BYTES, 0, 1, 100_000)));
    // The sender stays usable and nothing of the refused frames reached the pipe.
    s.send(Messages.make(Messages.Kind.BYTES, 0, 1, largest));
    s.close();
    s.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(2, s.stats().messagesWritten());
    assertEquals(0, reader.awaitExit(Duration.ofSeconds(20)), reader::describe);
    assertEquals("DONE 2", reader.awaitLine("DONE", Duration.ofSeconds(1)), reader::describe);
  }
}
