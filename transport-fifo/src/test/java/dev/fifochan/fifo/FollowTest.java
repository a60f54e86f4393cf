package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.readToEnd;
import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static dev.fifochan.fifo.FifoTesting.writeFully;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.OpenTimeoutException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FollowTest {
  private static final FifoOptions CONFIG = timeoutMillis(10_000).toBuilder().follow(true).build();

  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }

  private void writeAndClose(String text) throws IOException {
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, timeoutMillis(1_000))) {
      writeFully(w, ByteBuffer.wrap(text.getBytes(UTF_8)));
    }
  }

  private static String session(ReadableByteChannel ch) throws IOException {
    try (ch) {
      return new String(readToEnd(ch, ByteBuffer.allocateDirect(1024)), UTF_8);
    }
  }

  @Test
  void bytesOfOneWriterAfterAnotherAllArrive() throws Exception {
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG)) {
      CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
        try {
          return session(opener.open(-1));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      writeAndClose("one");
      assertEquals("one", first.get(10, TimeUnit.SECONDS));
      writeAndClose("two");
      assertEquals("two", session(opener.open(-1)));
      CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> {
        try {
          return session(opener.open(-1));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(100); // the receiver waits before the writer comes
      writeAndClose("three");
      assertEquals("three", third.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void bytesAWriterWroteWhileNoSessionWasOpenAreNotLost() throws Exception {
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG)) {
      writeAndClose("early"); // before the first open: the opener's own descriptor keeps the pipe
      ReadableByteChannel first = opener.open(-1);
      assertEquals("early", session(first)); // the session is closed before the next writer comes
      writeAndClose("between");
      writeAndClose("-and-after");
      assertEquals("between-and-after", session(opener.open(-1)));
    }
  }

  @Test
  void bytesOfAWriterThatCameAfterEndOfFileSurviveTheSessionsClose() throws Exception {
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG)) {
      writeAndClose("one");
      ReadableByteChannel first = opener.open(-1);
      assertEquals("one", new String(readToEnd(first, ByteBuffer.allocate(64)), UTF_8)); // end of file seen
      writeAndClose("two"); // a new writer, while the old session is still open
      first.close(); // the receiver lets go of the old session before it opens the next one
      assertEquals("two", session(opener.open(-1)));
    }
  }

  @Test
  void closeCancelsAPendingOpenAtOnceAndReleasesEverything() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    FollowOpener opener = FollowOpener.create(fifo, CONFIG.toBuilder().openTimeout(java.time.Duration.ofSeconds(30)).build());
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        opener.open(-1).close();
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    Thread.sleep(200);
    assertFalse(outcome.isDone());
    long t0 = System.nanoTime();
    opener.close();
    assertInstanceOf(ClosedChannelException.class, outcome.get(5, TimeUnit.SECONDS));
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    assertThrows(ClosedChannelException.class, () -> opener.open(-1));
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @Test
  void timedOpenWaitsForTheNextWriterAtMostItsTimeoutAndStaysUsable() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG.toBuilder().openTimeout(java.time.Duration.ofMillis(50)).build())) {
      long t0 = System.nanoTime();
      assertNull(opener.open(200_000_000L), "no writer within 200 ms");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 190 && ms < 5_000, "after " + ms + " ms");
      for (int i = 0; i < 100; i++) {
        assertNull(opener.open(0), "an immediate poll finds no writer");
      }
      writeAndClose("late"); // bytes written between two waits are kept for the next one
      assertEquals("late", session(opener.open(5_000_000_000L)));
    }
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @Test
  void untimedOpenIgnoresTheOpenTimeoutAndWaitsForTheNextWriter() throws Exception {
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG.toBuilder().openTimeout(java.time.Duration.ofMillis(50)).build())) {
      CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
        try {
          return session(opener.open(-1));
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      Thread.sleep(300); // six open timeouts
      assertFalse(got.isDone(), "still waiting for a writer");
      writeAndClose("patient");
      assertEquals("patient", got.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void manySessionsLeakNoDescriptor() throws Exception {
    try (FollowOpener opener = FollowOpener.create(fifo, CONFIG)) {
      writeAndClose("warm-up");
      session(opener.open(-1));
      java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
      for (int i = 0; i < 300; i++) {
        writeAndClose("s" + i);
        assertEquals("s" + i, session(opener.open(-1)));
      }
      FifoTesting.assertNoFdLeak(fdsBefore);
    }
  }

  @Test
  void deleteOnCloseRemovesTheFifoWhenTheOpenerClosesNotPerSession() throws Exception {
    FollowOpener opener = FollowOpener.create(fifo, CONFIG.toBuilder().deleteOnClose(true).build());
    writeAndClose("x");
    session(opener.open(-1));
    assertTrue(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    opener.close();
    assertFalse(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }
}
