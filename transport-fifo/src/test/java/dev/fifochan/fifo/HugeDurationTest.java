package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Practically never" durations ({@code Duration.ofSeconds(Long.MAX_VALUE)}) in {@link ChannelConfig}
 * work (taken as about 73 years), and nothing leaks if a receiver cannot be made. Found by a new-user
 * pass: the constructors' {@code toNanos()} threw {@link ArithmeticException} after the FIFO was
 * opened, leaking the read end and its reader lock (the next reader was refused as busy) or the write
 * end (its reader waited for an end that never came).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HugeDurationTest {
  private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE);
  private static final FifoOptions OPTS = FifoTesting.timeoutMillis(20_000);

  @TempDir Path dir;

  @Test
  void aReceiverWithAHugeLivenessTimeoutOpensOrIsRefusedWithoutLeakingTheFifo() throws Exception {
    ChannelConfig huge;
    try {
      huge = ChannelConfig.builder().livenessTimeout(HUGE).build();
    } catch (IllegalArgumentException refused) {
      return; // a typed refusal up front is fine
    }
    Path fifo = Fifo.create(dir.resolve("f"));
    var before = FifoTesting.fdTargets();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (Sender<String> tx = Fifo.openSender(fifo, Codecs.string(), ChannelConfig.defaults(), OPTS)) {
        tx.send("a");
      } catch (Exception e) {
        // the reader may have failed; what matters is below
      }
    });
    Throwable thrown = null;
    try (Receiver<String> rx = Fifo.openReceiver(fifo, Codecs.string(), huge, OPTS)) {
      assertEquals("a", rx.receive(Duration.ofSeconds(20)));
    } catch (Exception e) {
      thrown = e;
    }
    writer.get(30, TimeUnit.SECONDS);
    FifoTesting.assertNoFdLeak(before);
    if (thrown != null) {
      fail("openReceiver with livenessTimeout " + HUGE + " threw " + thrown, thrown);
    }
  }

  @Test
  void aSenderWithAHugeHeartbeatIntervalOpensOrIsRefusedAndItsReaderNeverHangs() throws Exception {
    senderWith(b -> b.heartbeatInterval(HUGE), "heartbeatInterval");
  }

  @Test
  void aSenderWithAHugeFlushDelayOpensOrIsRefusedAndItsReaderNeverHangs() throws Exception {
    senderWith(b -> b.flushDelay(HUGE), "flushDelay");
  }

  private void senderWith(java.util.function.UnaryOperator<ChannelConfig.Builder> setting, String what) throws Exception {
    ChannelConfig huge;
    try {
      huge = setting.apply(ChannelConfig.builder()).build();
    } catch (IllegalArgumentException refused) {
      return;
    }
    Path fifo = Fifo.create(dir.resolve("f"));
    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
      try (Receiver<String> rx = Fifo.openReceiver(fifo, Codecs.string(), ChannelConfig.defaults(), OPTS)) {
        String first = rx.receive(Duration.ofSeconds(20));
        return "received " + first + ", then " + rx.receive(Duration.ofSeconds(20));
      } catch (StreamException e) {
        return "stream ended: " + e.getClass().getSimpleName(); // a failed writer, reported: fine
      } catch (Exception e) {
        return "reader failed: " + e;
      }
    });
    Throwable thrown = null;
    try (Sender<String> tx = Fifo.openSender(fifo, Codecs.string(), huge, OPTS)) {
      tx.send("a");
    } catch (Exception e) {
      thrown = e;
    }
    String outcome = reader.get(60, TimeUnit.SECONDS);
    if (thrown != null) {
      fail("openSender with " + what + " " + HUGE + " threw " + thrown + "; its reader: " + outcome, thrown);
    }
    assertEquals("received a, then null", outcome);
  }
}
