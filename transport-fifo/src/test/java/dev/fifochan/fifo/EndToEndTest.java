package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.TruncatedStreamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Typed messages through {@link Fifo#openSender} and {@link Fifo#openReceiver} over a real FIFO. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndToEndTest {
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions OPTIONS = FifoTesting.timeoutMillis(10_000);
  private static final FifoOptions FOLLOW = OPTIONS.toBuilder().follow(true).build();

  @TempDir Path dir;
  Path fifo;

  @BeforeEach
  void createFifo() throws IOException {
    fifo = Fifo.create(dir.resolve("f"));
  }

  private static <T> CompletableFuture<List<T>> receiveAll(java.util.function.Supplier<Receiver<T>> open) {
    return CompletableFuture.supplyAsync(() -> {
      List<T> got = new ArrayList<>();
      try (Receiver<T> r = open.get()) {
        for (T t : r) {
          got.add(t);
        }
        assertTrue(r.isEnded());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return got;
    });
  }

  @Test
  void manyStringMessagesArriveInOrderAndTheStreamEndsCleanly() throws Exception {
    CompletableFuture<List<String>> received = receiveAll(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.string(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    List<String> sent = new ArrayList<>();
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG)) {
      for (int i = 0; i < 50_000; i++) {
        String m = "message " + i + " ünïcødé";
        sent.add(m);
        s.send(m);
      }
    }
    assertEquals(sent, received.get(30, TimeUnit.SECONDS));
  }

  @Test
  void byteMessagesOfManySizesArriveIntact() throws Exception {
    CompletableFuture<List<byte[]>> received = receiveAll(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.bytes(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    List<byte[]> sent = new ArrayList<>();
    try (Sender<byte[]> s = Fifo.openSender(fifo, Codecs.bytes(), CONFIG.toBuilder().checksum(true).build())) {
      for (int i = 0; i < 300; i++) {
        byte[] m = FifoTesting.pattern((i * 7919) % 300_000, i);
        sent.add(m);
        s.send(m);
      }
    }
    List<byte[]> got = received.get(30, TimeUnit.SECONDS);
    assertEquals(sent.size(), got.size());
    for (int i = 0; i < sent.size(); i++) {
      assertArrayEquals(sent.get(i), got.get(i), "message " + i);
    }
  }

  @Test
  void aWriterThatDiesMidStreamIsATruncatedStreamAfterTheCompleteMessages() throws Exception {
    // a valid stream prefix: preamble and two frames, then half of a third frame
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    Sender<String> encoder = Sender.over(Channels.newChannel(encoded), Codecs.string(),
        ChannelConfig.builder().flushDelay(Duration.ZERO).build());
    encoder.send("first");
    encoder.send("second");
    int complete = encoded.size();
    encoder.send("third, never complete");
    byte[] bytes = encoded.toByteArray();
    int cut = complete + (bytes.length - complete) / 2;

    CompletableFuture<Receiver<String>> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.string(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    FifoWriteChannel raw = Fifo.openWriteChannel(fifo, OPTIONS);
    writeFully(raw, ByteBuffer.wrap(bytes, 0, cut));
    raw.close(); // abandoned: no end-of-stream frame
    try (Receiver<String> r = opened.get(10, TimeUnit.SECONDS)) {
      assertEquals("first", r.receive());
      assertEquals("second", r.receive());
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, r::receive);
      assertEquals(complete, e.position());
    }
  }

  /**
   * The writer is gone before a following receiver opens its session: read(2) reports end of file
   * but poll(2) never reports a hang-up on that descriptor, so the reader must not wait before it
   * reads (it once did, and a timed poll then returned null instead of the truncation).
   */
  @Test
  void aFollowingReceiverReportsATruncatedStreamWhoseWriterLeftBeforeItLooked() throws Exception {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    Sender<String> encoder = Sender.over(Channels.newChannel(encoded), Codecs.string(),
        ChannelConfig.builder().flushDelay(Duration.ZERO).build());
    encoder.send("complete");
    int complete = encoded.size();
    encoder.send("never complete");
    byte[] bytes = encoded.toByteArray();
        try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      FifoWriteChannel raw = Fifo.openWriteChannel(fifo, OPTIONS);
      writeFully(raw, ByteBuffer.wrap(bytes, 0, complete + 3));
      raw.close(); // gone before the receiver opens its session
      assertEquals("complete", FifoTesting.poll(r, Duration.ofSeconds(20)));
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, () -> FifoTesting.poll(r, Duration.ofSeconds(20)));
      assertEquals(complete, e.position());
    }
  }

  @Test
  void aTimedPollReturnsNullWhileTheWriterIsIdleAndTheMessageOnceSent() throws Exception {
    CompletableFuture<Receiver<String>> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.string(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG);
    try (Receiver<String> r = opened.get(10, TimeUnit.SECONDS)) {
      long t0 = System.nanoTime();
      assertNull(FifoTesting.poll(r, Duration.ofMillis(150)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 140 && ms < 5_000, "poll returned after " + ms + " ms");
      s.send("late");
      s.flush();
      assertEquals("late", FifoTesting.poll(r, Duration.ofSeconds(5)));
      s.close(); // before the receiver: a sender closing after its reader left gets PeerClosedException
      assertNull(FifoTesting.poll(r, Duration.ofSeconds(5)));
      assertTrue(r.isEnded());
    }
  }

  @Test
  void theSenderGetsPeerClosedExceptionOnceTheReceiverIsGone() throws Exception {
    CompletableFuture<Receiver<String>> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.string(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG.toBuilder().flushDelay(Duration.ZERO).build());
    try {
      s.send("hello");
      Receiver<String> r = opened.get(10, TimeUnit.SECONDS);
      assertEquals("hello", r.receive());
      r.close();
      PeerClosedException e = assertThrows(PeerClosedException.class, () -> {
        for (int i = 0; i < 1_000_000; i++) {
          s.send("after " + i);
        }
      });
      assertTrue(e.messagesWritten() >= 1, e.getMessage());
    } finally {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failed
      }
    }
  }

  /**
   * EPIPE from the FIFO reaches the application with the sender's counts: how many messages are
   * wholly in the pipe (as stats say) and how many accepted ones are lost, adding up to what was
   * accepted (the send that met the closed pipe was not accepted: it is in neither count).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {0, 50_000, 86_400_000_000_000L})
  void peerClosedSaysWhatHappenedToEveryAcceptedMessage(long flushDelayNanos) throws Exception {
    CompletableFuture<Receiver<String>> opened = CompletableFuture.supplyAsync(() -> {
      try {
        return Fifo.openReceiver(fifo, Codecs.string(), CONFIG);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    ChannelConfig config = CONFIG.toBuilder().bufferSize(4096).flushDelay(Duration.ofNanos(flushDelayNanos)).build();
    Sender<String> s = Fifo.openSender(fifo, Codecs.string(), config);
    s.send("hello");
    s.flush();
    Receiver<String> r = opened.get(10, TimeUnit.SECONDS);
    assertEquals("hello", r.receive());
    r.close();
    String big = "x".repeat(700);
    PeerClosedException e = assertThrows(PeerClosedException.class, () -> {
      for (int i = 0; i < 1_000_000; i++) {
        s.send(big);
      }
    });
    assertTrue(e.countsKnown(), e.getMessage());
    assertTrue(e.getMessage().contains("write end of FIFO " + fifo), e.getMessage());
    assertEquals(s.stats().messagesWritten(), e.messagesWritten(), e.getMessage());
    assertEquals(s.stats().messagesAccepted(), e.messagesWritten() + e.messagesDiscarded(), e.getMessage());
    assertEquals(e.messagesDiscarded(), s.stats().messagesPending(), "pending: accepted and never to be written");
    PeerClosedException done = assertInstanceOf(PeerClosedException.class,
        assertThrows(java.util.concurrent.ExecutionException.class, () -> s.done().toCompletableFuture().get(5, TimeUnit.SECONDS)).getCause());
    assertTrue(done.countsKnown());
    s.close(); // already failed and reported: a no-op
  }

  @Test
  void aFollowingReceiverReadsOneSenderAfterAnother() throws Exception {
        try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      for (int session = 0; session < 3; session++) {
        try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG)) {
          s.send("s" + session + " a");
          s.send("s" + session + " b");
        }
      }
      List<String> got = new ArrayList<>();
      while (got.size() < 6) {
        String m = FifoTesting.poll(r, Duration.ofSeconds(5));
        if (m == null) {
          break;
        }
        got.add(m);
      }
      assertEquals(List.of("s0 a", "s0 b", "s1 a", "s1 b", "s2 a", "s2 b"), got);
    }
  }
}
