package dev.fifochan.fifo;

import static dev.fifochan.fifo.FifoTesting.timeoutMillis;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A following receiver that is <em>waiting</em> in {@code receive()} (as {@code fifochan recv --follow F}
 * always is) when its FIFO is replaced ({@code rm F; mkfifo F}, as restart scripts do) reads the next
 * writer of the new FIFO. Found by a new-user pass: the path watcher moved the follower's held
 * descriptor to the new FIFO while the waiting session kept polling its descriptor of the old one,
 * whose path check then said "same FIFO" (it compared the path with the held FIFO, not with the
 * session's), so writers opened the new FIFO and were never read.
 * {@code PathRecheckTest.aFollowerMovesToAFifoCreatedAgainAndTheNextWriterGetsThrough} replaces
 * the FIFO only between receive calls.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FollowReplacedWhileWaitingTest {
  private static final int ROUNDS = 8;
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();
  private static final FifoOptions FOLLOW = timeoutMillis(10_000).toBuilder().follow(true).build();

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aFollowerWaitingInReceiveWhenItsFifoIsReplacedReadsTheNextWriter(boolean linger) throws Exception {
    Path fifo = Fifo.create(dir.resolve("f"));
    FifoOptions writerOptions = timeoutMillis(10_000).toBuilder().lingerOnClose(linger).build();
    LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
    try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), CONFIG, FOLLOW)) {
      CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
        try {
          for (;;) {
            String m = r.receive(); // without limit, as recv --follow
            if (m != null) {
              got.add(m);
            }
          }
        } catch (IOException e) {
          got.add("receive failed: " + e);
        }
      });
      try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, writerOptions)) {
        s.send("one");
      }
      assertEquals("one", got.poll(20, TimeUnit.SECONDS));
      for (int round = 1; round <= ROUNDS; round++) { // a race: one replacement does not always hit it
        Thread.sleep(100 + 97 * round); // the receiver is waiting for the next writer
        Files.delete(fifo);
        Fifo.create(fifo);
        String sendOutcome = "sent";
        try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), CONFIG, writerOptions)) {
          s.send("two " + round);
        } catch (IOException e) {
          sendOutcome = e.toString();
        }
        assertEquals("two " + round, got.poll(15, TimeUnit.SECONDS),
            "round " + round + ": the new writer's message (its send: " + sendOutcome + ")");
      }
      loop.cancel(true);
    }
  }
}
