package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Receiver;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.FifoBusyException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 9's contract across processes: a writer process that fails ends its stream with an error the
 * reader process receives as such (never a clean end), a SIGKILLed writer is a truncated stream, and a
 * FIFO has one reader: a second reader process is refused, told the first one's pid.
 */
class CrossProcessContractTest extends ProcessTestSupport {
  private static final int SIZE = 100;

  /**
   * The writer's codec throws on message 600 (a codec failing on purpose) and the writer follows the
   * abort idiom of {@code Sender}'s documentation inside try-with-resources. The reader gets the 600
   * messages before it, then {@link StreamAbortedException} with the writer's text, and never a clean end.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aWriterProcessWhoseCodecFailsEndsItsStreamAbortedNeverCleanly() throws Exception {
    int failAt = 600;
    Path fifo = fifo("codec-fails");
    ChildProcess writer = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--count", "1000", "--fail-at", Integer.toString(failAt));
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      StreamAbortedException e = assertThrows(StreamAbortedException.class, () -> {
        while (true) {
          Object m = r.receive();
          assertTrue(m != null, "a clean end after " + got.total() + " messages: the failure was hidden");
          got.accept(Messages.check(Messages.Kind.BYTES, m, SIZE));
        }
      });
      assertEquals(failAt, got.total(), "every message before the failing one");
      assertTrue(e.reason().contains("EncodeException") && e.reason().contains("a codec failing on purpose"), e.reason());
      assertEquals(BYTES_PREAMBLE + (6L + SIZE) * failAt, e.position(), e.getMessage());
      assertThrows(StreamAbortedException.class, r::receive, "the aborted end is the stream's end for a plain receiver");
    }
    assertEquals(9, writer.awaitExit(Duration.ofSeconds(30)), writer::describe);
    String aborted = writer.awaitLine("ABORTED", Duration.ofSeconds(1));
    assertTrue(aborted.startsWith("ABORTED " + failAt + " sessionEnded=true reason=dev.fifochan.EncodeException"),
        "the writer's done() says the aborted end reached the pipe: " + aborted);
  }

  /**
   * The same failure in a writer pinned to wire format 1.0 (for 0.1 readers): 1.0 cannot say "aborted",
   * so the writer ends without an end of stream and the reader reports a truncated stream — still
   * never a clean end.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aFailingWriterPinnedToWireFormat10LeavesATruncatedStreamNeverACleanOne() throws Exception {
    int failAt = 250;
    Path fifo = fifo("codec-fails-10");
    ChildProcess writer = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--count", "1000", "--fail-at", Integer.toString(failAt), "--wire-version", "1.0");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, () -> {
        while (true) {
          Object m = r.receive();
          assertTrue(m != null, "a clean end after " + got.total() + " messages: the failure was hidden");
          got.accept(Messages.check(Messages.Kind.BYTES, m, SIZE));
        }
      });
      assertEquals(failAt, got.total());
      assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason(), e.getMessage());
      assertEquals(BYTES_PREAMBLE + (6L + SIZE) * failAt, e.position(), e.getMessage());
    }
    assertEquals(9, writer.awaitExit(Duration.ofSeconds(30)), writer::describe);
    assertTrue(writer.awaitLine("ABORTED", Duration.ofSeconds(1)).startsWith("ABORTED " + failAt + " sessionEnded=false"),
        "in 1.0 the writer's done() says the reason was lost: " + writer.describe());
  }

  /**
   * SIGKILL between frames (the writer idle, its messages flushed): the reader gets every message and
   * then {@link TruncatedStreamException} at the end of input, with one writer session still open.
   * (SIGKILLs in the middle of frames: {@link CrashedWriterTest}.)
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aSigkilledWriterProcessIsATruncatedStreamNeverACleanEnd() throws Exception {
    int count = 777;
    Path fifo = fifo("sigkill");
    ChildProcess writer = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "bytes",
        "--size", Integer.toString(SIZE), "--count", Integer.toString(count), "--hold");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.BYTES, false)) {
      SequenceChecker got = new SequenceChecker();
      for (int i = 0; i < count; i++) {
        got.accept(Messages.check(Messages.Kind.BYTES, r.receive(), SIZE));
      }
      assertEquals("HOLDING " + count, writer.awaitLine("HOLDING", CHILD_START));
      writer.kill();
      assertEquals(137, writer.process().exitValue(), writer::describe);
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, r::receive);
      assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason(), e.getMessage());
      assertEquals(BYTES_PREAMBLE + (6L + SIZE) * count, e.position(), e.getMessage());
      assertEquals(1, e.openWriters());
      assertThrows(TruncatedStreamException.class, r::receive, "sticky");
    }
  }

  /**
   * A child JVM reads the FIFO (following, so it holds the FIFO and its lock from the start). A second
   * reader in this JVM is refused at once, told the child's pid; a second reader in another JVM is
   * refused the same way; and the first reader, undisturbed, reads the whole stream.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aSecondReaderProcessIsRefusedWithFifoBusyNamingTheFirstOnesPid() throws Exception {
    Path fifo = fifo("one-reader");
    ChildProcess first = procs.java("reader-1", "recv", "--path", fifo.toString(), "--codec", "string", "--follow",
        "--count", "1000");
    first.awaitLine("READY", CHILD_START);

    FifoBusyException busy = assertThrows(FifoBusyException.class,
        () -> openReceiver(fifo, Messages.Kind.STRING, config().build(), options().openTimeout(Duration.ofSeconds(5)).build()));
    assertEquals(first.pid(), busy.holderPid().orElse(-1), busy.getMessage());
    assertEquals(fifo, busy.path());
    assertTrue(busy.getMessage().contains("pid " + first.pid()), busy.getMessage());

    ChildProcess second = procs.java("reader-2", "recv", "--path", fifo.toString(), "--codec", "string");
    assertEquals(7, second.awaitExit(Duration.ofSeconds(30)), second::describe);
    assertTrue(second.awaitLine("BUSY", Duration.ofSeconds(1)).startsWith("BUSY holder=" + first.pid() + " "), second::describe);

    ChildProcess writer = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "string", "--count", "1000");
    assertEquals(0, writer.awaitExit(Duration.ofSeconds(30)), writer::describe);
    assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first::describe);
    assertEquals("DONE 1000", first.awaitLine("DONE", Duration.ofSeconds(1)));
  }

  /** The other way round: this JVM holds the FIFO, a reader process is refused and told this JVM's pid. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void aReaderProcessIsRefusedWhileThisJvmReadsTheFifo() throws Exception {
    Path fifo = fifo("held-here");
    try (Receiver<Object> r = openReceiver(fifo, Messages.Kind.STRING, true)) {
      ChildProcess second = procs.java("reader-2", "recv", "--path", fifo.toString(), "--codec", "string");
      assertEquals(7, second.awaitExit(Duration.ofSeconds(30)), second::describe);
      assertTrue(second.awaitLine("BUSY", Duration.ofSeconds(1)).startsWith("BUSY holder=" + ProcessHandle.current().pid() + " "),
          second::describe);
      ChildProcess writer = procs.java("writer", "send", "--path", fifo.toString(), "--codec", "string", "--count", "10");
      for (long seq = 0; seq < 10; seq++) {
        assertEquals("msg-" + seq, r.receive());
      }
      assertEquals(0, writer.awaitExit(Duration.ofSeconds(30)), writer::describe);
    }
  }
}
