package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fifochan.Receiver;
import dev.fifochan.TruncatedStreamException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 5: a writer JVM killed with SIGKILL loses no complete frame, the reader reports the cut as
 * {@link TruncatedStreamException} at the right offset, and a following reader goes on with the next
 * writer. {@code -Dfifochan.it.kills=N} (default 10; 100 in the long run of docs/reliability.md) sets
 * the number of kills, {@code -Dfifochan.it.seed=S} the random seed (printed).
 */
class CrashedWriterTest extends ProcessTestSupport {
  private static final int KILLS = knob("fifochan.it.kills", 10);
  private static final int SIZE = 100;
  /** Preamble of a "bytes" writer: magic, version (2: wire format 1.1), codec-len, "bytes". */
  private static final long PREAMBLE = BYTES_PREAMBLE;
  /** A 100-byte untagged frame without checksum. */
  private static final long FRAME = 6 + SIZE;

  /** Writers vary: 100-byte or 5000-byte (more than PIPE_BUF) payloads, with or without CRC-32C. */
  private static int sizeOf(int writer) {
    return writer % 2 == 0 ? 5_000 : SIZE;
  }

  private static boolean checksumOf(int writer) {
    return writer % 3 == 0;
  }

  private static long frameOf(int writer) {
    return 6 + sizeOf(writer) + (checksumOf(writer) ? 4 : 0);
  }

  @Test
  @Timeout(value = 1800, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void writersKilledAtRandomPointsLoseNoCompleteFrameAndFollowingReaderGoesOn() throws Exception {
    long seed = Long.getLong("fifochan.it.seed", System.nanoTime());
    System.out.println("CrashedWriterTest: kills=" + KILLS + " seed=" + seed);
    Random random = new Random(seed);
    Path fifo = fifo("crash");
    Map<String, Integer> cuts = new TreeMap<>();
    long totalBeforeKill = 0;
    long totalAfterKill = 0;
    long start = System.nanoTime();
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, true)) {
      SequenceChecker got = new SequenceChecker();
      for (int writer = 1; writer <= KILLS; writer++) {
        int size = sizeOf(writer);
        ChildProcess child = procs.java("writer-" + writer, "send", "--path", fifo.toString(), "--codec", "bytes",
            "--size", Integer.toString(size), "--writer", Integer.toString(writer), "--count", "-1",
            checksumOf(writer) ? "--checksum" : "--no-checksum");
        // Let the writer get going, then kill it while it is writing (it is always ahead of us).
        int killAt = 1 + random.nextInt(random.nextBoolean() ? 50 : 5_000_000 / size);
        for (int i = 0; i < killAt; i++) {
          Messages.Id id = Messages.check(Messages.Kind.BYTES, r.receive(), size);
          assertEquals(writer, id.writer(), "message from an earlier writer after its stream ended");
          got.accept(id);
        }
        if (random.nextBoolean()) {
          // Stop reading for a moment: the pipe fills and the writer is caught part-way through a
          // buffer write (the kernel takes what fits), which cuts a frame.
          Thread.sleep(20 + random.nextInt(80));
        }
        child.kill();
        assertEquals(137, child.process().exitValue(), "killed with SIGKILL: " + child.describe());
        // Everything it wrote completely must still arrive, then the cut.
        TruncatedStreamException cut = null;
        while (cut == null) {
          try {
            Object m = r.receive();
            assertNotNull(m, "a following receiver never reports an end");
            Messages.Id id = Messages.check(Messages.Kind.BYTES, m, size);
            assertEquals(writer, id.writer());
            got.accept(id);
          } catch (TruncatedStreamException e) {
            cut = e;
          }
        }
        long delivered = got.next(writer);
        assertEquals(PREAMBLE + frameOf(writer) * delivered, cut.position(),
            "the cut is reported at the first byte after the last complete frame (writer " + writer + ", "
                + delivered + " frames): " + cut.getMessage());
        assertEquals(1, cut.openWriters(), cut.getMessage());
        cuts.merge(cut.reason() == TruncatedStreamException.Reason.IN_RECORD ? "inside a record" : "at a frame boundary", 1,
            Integer::sum);
        totalBeforeKill += killAt;
        totalAfterKill += delivered - killAt;
      }
      // The reader is still usable: a last writer that closes cleanly is read completely.
      int last = KILLS + 1;
      ChildProcess child = procs.java("writer-" + last, "send", "--path", fifo.toString(), "--codec", "bytes",
          "--size", Integer.toString(SIZE), "--writer", Integer.toString(last), "--count", "1000");
      for (int i = 0; i < 1000; i++) {
        got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
      }
      assertEquals(0, child.awaitExit(Duration.ofSeconds(20)), child::describe);
      assertEquals(1000, got.next(last));
      assertEquals(KILLS + 1, got.perWriter().size());
    }
    System.out.printf("CrashedWriterTest: %d kills in %.1f s, 0 lost, 0 duplicated; cuts %s; "
            + "%d frames received before the kills, %d complete frames after them%n",
        KILLS, (System.nanoTime() - start) / 1e9, cuts, totalBeforeKill, totalAfterKill);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void writerThatDiesInTheMiddleOfAFrameGivesEveryCompleteFrameThenTruncatedAtThatFrame() throws Exception {
    int k = 12_345;
    Path fifo = fifo("half");
    ChildProcess child = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--count", "20000", "--kill-after", Integer.toString(k));
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      TruncatedStreamException cut = assertThrows(TruncatedStreamException.class, () -> {
        while (true) {
          got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
        }
      });
      assertEquals(k, got.total(), "every complete frame before the half one");
      assertEquals(PREAMBLE + FRAME * k, cut.position(), "offset of the half frame: " + cut.getMessage());
      assertEquals(TruncatedStreamException.Reason.IN_RECORD, cut.reason(), cut.getMessage());
      // Not following: the stream is over for good.
      assertThrows(TruncatedStreamException.class, r::receive);
    }
    assertEquals(137, child.awaitExit(Duration.ofSeconds(20)), child::describe);
    assertEquals("KILLING " + k, child.awaitLine("KILLING", Duration.ofSeconds(1)));
  }
}
