package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A following receiver: one writer after another, a failed writer's stream reported once and
 * skipped to its end of file, and the next writer read from its first byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FollowingReceiverTest {
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions FOLLOW = FifoTesting.timeoutMillis(10_000).toBuilder().follow(true).build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }

  private void send(String... messages) throws IOException {
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, FifoTesting.timeoutMillis(5_000))) {
      for (String m : messages) {
        s.send(m);
      }
    }
  }

  private void writeRaw(byte[] bytes) throws IOException {
    try (FifoWriteChannel w = Fifo.openWriteChannel(fifo, FifoTesting.timeoutMillis(5_000))) {
      FifoTesting.writeFully(w, ByteBuffer.wrap(bytes));
    }
  }

  @Test
  void garbageFromOneWriterIsReportedOnceAndTheNextWriterIsReadWhole() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      send("first writer");
      assertEquals("first writer", r.receive(WAIT));
      byte[] garbage = new byte[200_000]; // more than one read: the rest must be skipped, not framed
      java.util.Arrays.fill(garbage, (byte) 'x');
      writeRaw(garbage);
      StreamException e = assertThrows(StreamException.class, () -> r.receive(WAIT));
      assertTrue(e instanceof CorruptFrameException, e.toString());
      send("third writer", "still third");
      assertEquals("third writer", r.receive(WAIT), "the failure was thrown once; the garbage was skipped");
      assertEquals("still third", r.receive(WAIT));
    }
  }

  @Test
  void aTruncatedWriterAndAnAbortedOneAreEachReportedOnceThenTheNextIsRead() throws Exception {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    Sender<String> encoder = Sender.over(Channels.newChannel(encoded), Codecs.string(),
        ChannelConfig.builder().flushDelay(Duration.ZERO).build());
    encoder.send("complete");
    int complete = encoded.size();
    encoder.send("never complete");
    byte[] bytes = encoded.toByteArray();
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      writeRaw(java.util.Arrays.copyOf(bytes, complete + 3));
      assertEquals("complete", r.receive(WAIT));
      TruncatedStreamException t = assertThrows(TruncatedStreamException.class, () -> r.receive(WAIT));
      assertEquals(complete, t.position(), "positions count from this writer's first byte");

      try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, FifoTesting.timeoutMillis(5_000))) {
        s.send("before the abort");
        s.abort("the producer failed");
      }
      assertEquals("before the abort", r.receive(WAIT));
      StreamAbortedException a = assertThrows(StreamAbortedException.class, () -> r.receive(WAIT));
      assertTrue(a.getMessage().contains("the producer failed"), a.getMessage());

      send("next");
      assertEquals("next", r.receive(WAIT));
      assertTrue(r.isOpen() && !r.isEnded(), "a following receiver never ends");
    }
  }

  @Test
  void closingTheReceiverWakesAWaitForTheNextWriter() throws Exception {
    java.util.SortedMap<Integer, String> fdsBefore = FifoTesting.fdTargets();
    Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW);
    java.util.concurrent.CompletableFuture<Throwable> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        r.receive();
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    Thread.sleep(300);
    long t0 = System.nanoTime();
    r.close();
    Throwable thrown = waiting.get(5, TimeUnit.SECONDS);
    assertTrue(thrown instanceof java.nio.channels.ClosedChannelException, String.valueOf(thrown));
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    FifoTesting.assertNoFdLeak(fdsBefore);
  }

  @Test
  void messagesAWriterSentWhileTheApplicationWasBusyAreKept() throws Exception {
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      send("a1", "a2");
      send("b1");
      writeRaw("".getBytes(StandardCharsets.UTF_8)); // a writer that came and left without writing
      send("c1");
      StringBuilder got = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        got.append(r.receive(WAIT)).append(' ');
      }
      assertEquals("a1 a2 b1 c1 ", got.toString());
    }
  }

  /**
   * Liveness counts bytes in follow mode too: a writer that trickles one large frame in over longer
   * than the liveness timeout is alive (the following source reports the session's last read); once
   * it falls silent the timeout says where the reader stands in that session.
   */
  @Test
  void livenessCountsTheBytesOfTheCurrentWriterAndReportsItsPosition() throws Exception {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    try (Sender<byte[]> encoder = Sender.over(Channels.newChannel(encoded), Codecs.bytes(),
        ChannelConfig.builder().flushDelay(Duration.ZERO).build())) {
      encoder.send(new byte[100]);
    }
    byte[] stream = encoded.toByteArray();
    int withoutEnd = stream.length - 6; // preamble (11) and the frame (106), not the end of stream
    ChannelConfig liveness = ChannelConfig.builder().livenessTimeout(Duration.ofMillis(500)).build();
    try (Receiver<byte[]> r = Fifo.openReceiver(fifo, Codecs.bytes(), liveness, FOLLOW);
        FifoWriteChannel w = Fifo.openWriteChannel(fifo, FifoTesting.timeoutMillis(5_000))) {
      FifoTesting.writeFully(w, ByteBuffer.wrap(stream, 0, 20));
      java.util.concurrent.CompletableFuture<Void> trickle = java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          for (int p = 20; p < withoutEnd; p += 6) { // 17 writes 100 ms apart: 1.7 s for one frame
            Thread.sleep(100);
            FifoTesting.writeFully(w, ByteBuffer.wrap(stream, p, Math.min(6, withoutEnd - p)));
          }
        } catch (IOException | InterruptedException e) {
          throw new RuntimeException(e);
        }
      });
      assertEquals(100, r.receive(WAIT).length, "no liveness timeout while bytes arrive");
      trickle.get(10, TimeUnit.SECONDS);
      dev.fifochan.LivenessTimeoutException e = assertThrows(dev.fifochan.LivenessTimeoutException.class, () -> r.receive(WAIT));
      assertEquals(withoutEnd, e.position(), "after the preamble and the frame of this writer session");
      assertEquals(1, e.openSessions());
    }
  }

  /** One read buffer for every writer session: each session's source reads into the follower's buffer. */
  @Test
  void everyWriterSessionIsReadIntoTheSameBuffer() throws Exception {
    dev.fifochan.spi.FrameSource source = Fifo.openSource(fifo, CONFIG, FOLLOW, null, null);
    FollowingSource following = (FollowingSource) source;
    try (Receiver<String> r = Receiver.over(source, Codecs.string(), CONFIG)) {
      ByteBuffer first = null;
      String large = "L".repeat(CONFIG.bufferSize() + 1000); // assembled beside the buffer
      for (int session = 0; session < 5; session++) {
        send("s" + session, large, "end of s" + session);
        assertEquals("s" + session, r.receive(WAIT));
        assertEquals(large, r.receive(WAIT));
        assertEquals("end of s" + session, r.receive(WAIT));
        if (first == null) {
          first = following.readBuffer();
          assertEquals(CONFIG.bufferSize(), first.capacity());
          assertTrue(first.isDirect());
        }
        assertTrue(first == following.readBuffer(), "session " + session + " read into the first session's buffer");
      }
      assertEquals(5, r.stats().sessionsStarted());
    }
  }
}
