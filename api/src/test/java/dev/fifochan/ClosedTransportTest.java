package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transport closed under a sender by another thread (as request/response closes a connection):
 * the send or flush waiting for room ends at once with {@link AsynchronousCloseException}, not sent,
 * never with a {@link SendTimeoutException} before its deadline. Over real kernel pipes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClosedTransportTest {
  /** Far beyond the test: a timeout here would be the bug. */
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final long BOUND_MS = 5_000;

  private static ChannelConfig config(Duration flushDelay) {
    return ChannelConfig.builder().bufferSize(4096).flushDelay(flushDelay).build();
  }

  private static byte[] numbered(int n) {
    byte[] b = new byte[1000];
    ByteBuffer.wrap(b).putInt(n);
    return b;
  }

  /** Offers numbered messages until the pipe (nobody reads it) and the buffer are full; returns how many. */
  private static int fill(Sender<byte[]> tx) throws IOException {
    int n = 0;
    while (tx.offer(numbered(n)) > 0) {
      n++;
    }
    return n;
  }

  /** The numbers of the whole messages that reached the pipe (its write end is closed by now). */
  private static List<Integer> numbersIn(Pipe pipe) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(1 << 16);
    pipe.source().configureBlocking(true);
    while (pipe.source().read(b.clear()) >= 0) {
      out.write(b.array(), 0, b.position());
    }
    List<Integer> got = new ArrayList<>();
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(out.toByteArray(), 4096), Codecs.bytes(), ChannelConfig.defaults())) {
      while (true) {
        byte[] m;
        try {
          m = rx.receive();
        } catch (TruncatedStreamException e) {
          return got; // the transport was closed without an end
        }
        assertTrue(m != null, "no clean end: the transport was closed under the sender");
        got.add(ByteBuffer.wrap(m).getInt());
      }
    }
  }

  /**
   * A timed send waits for room; another thread closes the transport ({@code close()}, or as a
   * transport whose close wakes its waits: {@code wakeup()} then {@code close()}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"close", "wakeup-then-close"})
  void aSendWaitingForRoomEndsWithAsynchronousClose(String how) throws Exception {
    for (Duration flushDelay : new Duration[] {Duration.ZERO, Duration.ofMillis(1)}) {
      Pipe pipe = Pipe.open();
      FrameSink sink = ByteStreams.sink(pipe.sink(), config(flushDelay), 0);
      Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), config(flushDelay));
      int accepted = fill(tx);
      Threads.Task<Long> blocked = Threads.start("blocked-send", () -> tx.send(numbered(-1), LONG)).awaitInside("awaitReady");
      long t0 = System.nanoTime();
      if (how.equals("wakeup-then-close")) {
        sink.wakeup();
      }
      sink.close();
      Throwable e = blocked.failure();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertInstanceOf(AsynchronousCloseException.class, e, () -> "flush delay " + flushDelay + ": " + e);
      assertTrue(ms < BOUND_MS, "took " + ms + " ms");
      assertFalse(tx.isOpen());
      assertInstanceOf(AsynchronousCloseException.class,
          assertThrows(ExecutionException.class, () -> tx.done().toCompletableFuture().get(5, TimeUnit.SECONDS)).getCause());
      assertEquals(0, tx.stats().timeouts(), "no timeout was counted");
      List<Integer> arrived = numbersIn(pipe);
      assertFalse(arrived.contains(-1), "the woken send was not sent");
      assertEquals(tx.stats().messagesWritten(), arrived.size(), "messagesWritten counts what is in the pipe");
      assertTrue(arrived.size() <= accepted);
      for (int i = 0; i < arrived.size(); i++) {
        assertEquals(i, arrived.get(i));
      }
    }
  }

  /** A flush waiting for room when another thread closes the transport. */
  @Test
  void aFlushWaitingForRoomEndsWithAsynchronousClose() throws Exception {
    Pipe pipe = Pipe.open();
    FrameSink sink = ByteStreams.sink(pipe.sink(), config(Duration.ofDays(1)), 0);
    Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), config(Duration.ofDays(1)));
    for (int i = 0; ; i++) { // until the pipe and the buffer are full
      try {
        tx.send(numbered(i), Duration.ofMillis(100));
      } catch (SendTimeoutException e) {
        break;
      }
    }
    assertTrue(tx.stats().messagesPending() > 0);
    Threads.Task<Void> flushing = Threads.<Void>start("blocked-flush", () -> {
      tx.flush(LONG);
      return null;
    }).awaitInside("awaitReady");
    sink.close();
    assertInstanceOf(AsynchronousCloseException.class, flushing.failure());
    assertEquals(1, tx.stats().timeouts(), "only the send that found no room");
  }

  /**
   * The transport is closed while a send is inside its codec and the pipe is full: when the codec
   * returns, the send finds the transport closed under it: {@link AsynchronousCloseException}, not
   * the {@link java.nio.channels.ClosedChannelException} of a call made after a close.
   */
  @Test
  void aSendInProgressWhenTheTransportClosesEndsWithAsynchronousClose() throws Exception {
    CountDownLatch inCodec = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Codec<byte[]> slow = new Codec<>() {
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
          } catch (InterruptedException e) {
            throw new IOException(e);
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
    FrameSink sink = ByteStreams.sink(pipe.sink(), config(Duration.ZERO), 0);
    Sender<byte[]> tx = Sender.over(sink, slow, config(Duration.ZERO));
    int n = 0;
    while (tx.offer(numbered(n)) > 0) {
      n++;
    }
    Threads.Task<Long> sending = Threads.start("send-in-codec", () -> tx.send(new byte[] {7}, LONG));
    assertTrue(inCodec.await(20, TimeUnit.SECONDS));
    sink.close();
    release.countDown();
    assertInstanceOf(AsynchronousCloseException.class, sending.failure());
  }
}
