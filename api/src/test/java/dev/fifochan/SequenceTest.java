package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sequence numbers: {@code send} and {@code offer} return the accepted message's number, 1-based in
 * acceptance order, and {@link SenderStats#messagesWritten()} counts in that order and is final once
 * the sender is closed, so "message n is in the pipe" is {@code messagesWritten() >= n}. Over real
 * kernel pipes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SequenceTest {

  /** A payload of {@code size} bytes that starts with {@code id}. */
  private static byte[] payload(long id, int size) {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putLong(id);
    return b;
  }

  private static long idOf(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  @Test
  void concurrentSendersGetTheNumbersOfTheOrderTheMessagesArriveIn() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig config = ChannelConfig.builder().bufferSize(8192).build();
    Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), config);
    Receiver<byte[]> rx = Receiver.over(pipe.source(), Codecs.bytes(), config);
    Threads.Task<List<Long>> reader = Threads.start("reader", () -> {
      List<Long> ids = new ArrayList<>();
      for (byte[] m : rx) {
        ids.add(idOf(m));
      }
      return ids;
    });
    int threads = 4;
    int each = 3000;
    ConcurrentHashMap<Long, Long> idBySequence = new ConcurrentHashMap<>();
    List<Threads.Task<Void>> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      senders.add(Threads.<Void>start("sender-" + t, () -> {
        for (int i = 0; i < each; i++) {
          long id = (long) thread << 32 | i;
          long seq;
          if (i % 3 == 0) {
            while ((seq = tx.offer(payload(id, 50 + i % 700))) < 0) {
              assertEquals(Sender.BACK_PRESSURED, seq);
              Thread.onSpinWait();
            }
          } else {
            seq = tx.send(payload(id, 50 + i % 700));
          }
          assertTrue(idBySequence.putIfAbsent(seq, id) == null, "sequence " + seq + " given twice");
        }
        return null;
      }));
    }
    for (Threads.Task<Void> s : senders) {
      s.result.get(30, TimeUnit.SECONDS);
    }
    tx.close();
    List<Long> arrived = reader.result.get(30, TimeUnit.SECONDS);
    assertEquals(threads * each, arrived.size());
    for (int k = 1; k <= arrived.size(); k++) {
      assertEquals(idBySequence.get((long) k), arrived.get(k - 1), "message " + k + " arrived in place " + k);
    }
    assertEquals(threads * each, tx.stats().messagesWritten());
    assertEquals(threads * each, tx.stats().messagesAccepted());
  }

  /**
   * The reader stops reading; a close gives up with a frame torn (a message larger than the buffer
   * and the pipe). What is in the pipe is exactly the messages numbered up to {@code messagesWritten()},
   * and that count does not change afterwards.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 50_000})
  void whatIsInThePipeIsExactlyTheMessagesUpToMessagesWritten(int flushDelayMicros) throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig config = ChannelConfig.builder().bufferSize(4096)
        .flushDelay(Duration.ofNanos(flushDelayMicros * 1000L)).build();
    Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), config);
    List<byte[]> sent = new ArrayList<>();
    int[] sizes = {10, 3000, 700, 200_000, 8, 900};
    for (int i = 0; ; i++) {
      byte[] m = payload(i + 1, sizes[i % sizes.length]);
      long seq;
      try {
        seq = tx.send(m, Duration.ofMillis(100));
      } catch (SendTimeoutException e) {
        break; // not sent: the pipe and the buffer are full
      }
      sent.add(m);
      assertEquals(sent.size(), seq);
    }
    CloseTimeoutException e = assertThrows(CloseTimeoutException.class, () -> tx.close(Duration.ofMillis(100)));
    long written = tx.stats().messagesWritten();
    assertEquals(written, e.messagesWritten());
    assertEquals(sent.size() - written, e.messagesDiscarded());
    Thread.sleep(300);
    assertEquals(written, tx.stats().messagesWritten(), "final once closed");
    List<byte[]> inPipe = wholeMessagesIn(pipe);
    assertEquals(written, inPipe.size(), "messages 1.." + written + " are in the pipe, and no other whole one");
    for (int k = 0; k < inPipe.size(); k++) {
      assertArrayEquals(sent.get(k), inPipe.get(k), "message " + (k + 1));
    }
  }

  /** A close that gives up on a sender held in its codec: the count is final when the close returns. */
  @Test
  void aCloseThatGivesUpOnTheLockLeavesAFinalCount() throws Exception {
    CountDownLatch inCodec = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Codec<byte[]> stuck = new Codec<>() {
      @Override
      public String name() {
        return "bytes";
      }

      @Override
      public void encode(byte[] value, PayloadSink sink) throws IOException {
        if (value.length == 1) {
          inCodec.countDown();
          try {
            release.await();
          } catch (InterruptedException x) {
            throw new IOException(x);
          }
        }
        Codecs.bytes().encode(value, sink);
      }

      @Override
      public byte[] decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.bytes().decode(tag, payload);
      }
    };
    Pipe pipe = Pipe.open();
    Receiver<byte[]> rx = Receiver.over(pipe.source(), Codecs.bytes(), ChannelConfig.defaults());
    Sender<byte[]> tx = Sender.over(pipe.sink(), stuck, ChannelConfig.builder().flushDelay(Duration.ZERO).build());
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, tx.send(payload(i, 100)));
    }
    Threads.Task<Long> holder = Threads.start("held-in-codec", () -> tx.send(new byte[1]));
    assertTrue(inCodec.await(20, TimeUnit.SECONDS));
    CloseTimeoutException e = assertThrows(CloseTimeoutException.class, () -> tx.close(Duration.ofMillis(100)));
    assertEquals(5, e.messagesWritten());
    release.countDown();
    assertNotNull(holder.failure(), "the held send fails: the transport is closed");
    assertEquals(5, tx.stats().messagesWritten(), "nothing written after the close returned");
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, idOf(rx.receive(Duration.ofSeconds(10))));
    }
    assertInstanceOf(TruncatedStreamException.class, assertThrows(StreamException.class, () -> rx.receive(Duration.ofSeconds(10))));
  }

  /** Reads the pipe to its end (the write end is closed) and decodes the whole messages in it. */
  private static List<byte[]> wholeMessagesIn(Pipe pipe) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(1 << 16);
    pipe.source().configureBlocking(true);
    while (pipe.source().read(b.clear()) >= 0) {
      out.write(b.array(), 0, b.position());
    }
    List<byte[]> got = new ArrayList<>();
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(out.toByteArray(), 4096), Codecs.bytes(), ChannelConfig.defaults())) {
      while (true) {
        try {
          byte[] m = rx.receive();
          assertNotNull(m, "a truncated stream never ends cleanly");
          got.add(m);
        } catch (TruncatedStreamException e) {
          return got;
        }
      }
    }
  }
}
