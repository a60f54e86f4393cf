package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.spi.FrameSource;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JetStream: nats-server is SIGKILLed mid-stream and restarted on the same store; the sender waits for
 * the reconnect and retries what was not acknowledged (same message ids), the receiver's consumer resumes.
 * Every message is delivered to the application exactly once; the duplicates JetStream redelivers are
 * counted and dropped by (session, sequence). Count: {@code -Dfifochan.nats.killMessages} (default 20,000).
 */
@Timeout(300)
class JetStreamServerKillTest {
  private static final int N = Integer.getInteger("fifochan.nats.killMessages", 20_000);

  @Test
  void everyMessageDeliveredDuplicatesCounted() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start()) {
      NatsConnectOptions co = NatsConnectOptions.builder().server(server.url()).reconnectWait(Duration.ofMillis(100)).build();
      NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).durable("killtest").replay(NatsOptions.Replay.ALL)
          .maxInFlight(256).publishTimeout(Duration.ofSeconds(2)).build();
      String subject = "kill.orders";
      try (Connection pub = co.connect(); Connection sub = co.connect()) {
        NatsFrameSource source = (NatsFrameSource) Nats.openSource(sub, subject, ChannelConfig.defaults(), js, null, "string");
        BitSet seen = new BitSet(N);
        long[] appDuplicates = {0};
        CompletableFuture<Integer> receiving = CompletableFuture.supplyAsync(() -> {
          int got = 0;
          try (Receiver<String> rx = Receiver.over(source, Codecs.string(), ChannelConfig.defaults())) {
            String m;
            while ((m = rx.receive(Duration.ofSeconds(90))) != null) {
              int i = Integer.parseInt(m);
              if (seen.get(i)) {
                appDuplicates[0]++;
              }
              seen.set(i);
              got++;
            }
          } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
          }
          return got;
        });
        long killedAt;
        long t0 = System.nanoTime();
        try (Sender<String> tx = Nats.openSender(pub, subject, Codecs.string(), ChannelConfig.defaults(), js)) {
          for (int i = 0; i < N; i++) {
            if (i == N / 3) {
              server.kill();
              Thread.sleep(1000);
              server.restart();
            }
            tx.send(Integer.toString(i));
          }
          killedAt = N / 3;
        }
        int delivered = receiving.get(240, TimeUnit.SECONDS);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertEquals(N, seen.cardinality(), "every message delivered (missing: " + (N - seen.cardinality()) + ")");
        assertEquals(0, appDuplicates[0], "no duplicate reaches the application");
        assertEquals(N, delivered);
        System.out.printf("JetStream SIGKILL at message %d of %d: all delivered in %d s; duplicates dropped by the receiver: %d;"
            + " out of order: %d%n", killedAt, N, seconds, source.duplicates(), source.outOfOrder());
        assertTrue(source.duplicates() >= 0);
        assertNull(null);
      }
    }
  }
}
