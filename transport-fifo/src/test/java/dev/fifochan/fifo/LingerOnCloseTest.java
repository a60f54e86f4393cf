package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Codecs;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FifoOptions#lingerOnClose()}: the sender learns whether its reader read the stream — a
 * reader that refused the codec, one that left early, one that read everything, and one that stalls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LingerOnCloseTest {
  private static final FifoOptions LINGER = FifoOptions.builder().lingerOnClose(true).openTimeout(Duration.ofSeconds(20)).build();

  @TempDir Path dir;

  @Test
  void aReaderThatReadsEverythingClosesCleanly() throws Exception {
    Path f = Fifo.create(dir.resolve("f"));
    CompletableFuture<List<String>> reader = CompletableFuture.supplyAsync(() -> {
      List<String> got = new ArrayList<>();
      try (Receiver<String> r = Fifo.openReceiver(f, Codecs.string(), ChannelConfig.defaults(), FifoOptions.defaults())) {
        for (String s : r) {
          got.add(s);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return got;
    });
    try (Sender<String> s = Fifo.openSender(f, Codecs.string(), ChannelConfig.defaults(), LINGER)) {
      for (int i = 0; i < 1000; i++) {
        s.send("m" + i);
      }
    }
    assertEquals(1000, reader.get(20, TimeUnit.SECONDS).size());
  }

  @Test
  void aReaderThatRefusesTheCodecFailsTheSender() throws Exception {
    Path f = Fifo.create(dir.resolve("f"));
    CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
      // string accepts string and json writers, not bytes
      try (Receiver<String> r = Fifo.openReceiver(f, Codecs.string(), ChannelConfig.defaults(), FifoOptions.defaults())) {
        r.receive();
        return null;
      } catch (IOException e) {
        return e;
      }
    });
    IOException failure = null;
    try (Sender<byte[]> s = Fifo.openSender(f, Codecs.bytes(), ChannelConfig.defaults(), LINGER)) {
      s.send(new byte[] {1, 2, 3});
    } catch (IOException e) {
      failure = e;
    }
    assertInstanceOf(IncompatibleStreamException.class, reader.get(20, TimeUnit.SECONDS));
    assertInstanceOf(PeerClosedException.class, failure, String.valueOf(failure));
  }

  @Test
  void aReaderThatLeavesEarlyFailsTheCloseNamingTheUnreadBytes() throws Exception {
    Path f = Fifo.create(dir.resolve("f"));
    CountDownLatch sent = new CountDownLatch(1);
    CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
      try (FifoReadChannel raw = Fifo.openReadChannel(f, FifoOptions.defaults())) {
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = 0;
        while (n < 100) {
          raw.awaitReady(dev.fifochan.Deadline.after(Duration.ofSeconds(10)));
          n += raw.read(b);
        }
        sent.await(20, TimeUnit.SECONDS);
        return n; // and close with the rest unread
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Sender<byte[]> s = Fifo.openSender(f, Codecs.bytes(), ChannelConfig.defaults(), LINGER);
    for (int i = 0; i < 10; i++) {
      s.send(new byte[1000]);
    }
    s.flush();
    sent.countDown();
    PeerClosedException e = assertThrows(PeerClosedException.class, s::close);
    assertEquals(100, reader.get(20, TimeUnit.SECONDS));
    // the end of stream went into the pipe and stayed there (or found the reader gone first)
    assertTrue(s.done().toCompletableFuture().isCompletedExceptionally());
  }

  @Test
  void aStalledReaderMakesTheCloseTimeOut() throws Exception {
    Path f = Fifo.create(dir.resolve("f"));
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
      try (FifoReadChannel raw = Fifo.openReadChannel(f, FifoOptions.defaults())) {
        // read the preamble only (the sender waits for it), then stall until the close timed out
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (b.position() == 0) {
          raw.awaitReady(dev.fifochan.Deadline.after(Duration.ofSeconds(10)));
          raw.read(b);
        }
        done.await(20, TimeUnit.SECONDS);
        return FifoTesting.readToEnd(raw, b);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    ChannelConfig config = ChannelConfig.builder().closeTimeout(Duration.ofMillis(300)).build();
    Sender<String> s = Fifo.openSender(f, Codecs.string(), config, LINGER);
    s.send("x");
    long t0 = System.nanoTime();
    assertThrows(CloseTimeoutException.class, s::close);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 250 && ms < 5000, ms + " ms");
    done.countDown();
    byte[] rest = reader.get(20, TimeUnit.SECONDS);
    assertTrue(rest.length > 0);
  }

  @Test
  void optionIsOffByDefaultAndKeptByToBuilder() {
    assertTrue(!FifoOptions.defaults().lingerOnClose());
    assertTrue(LINGER.toBuilder().build().lingerOnClose());
    assertEquals(LINGER, LINGER.toBuilder().build());
    assertTrue(!LINGER.equals(LINGER.toBuilder().lingerOnClose(false).build()));
  }
}
