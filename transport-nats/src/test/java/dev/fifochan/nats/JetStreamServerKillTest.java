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
 * Every message is stored (checked by reading the stream again) and delivered to the application exactly
 * once; the duplicates JetStream redelivers are counted and dropped by (session, sequence). A frame the
 * server delivered just before the kill and the receiver never got comes again after {@code ackWait}
 * (30 s), after the session's end: the receiver holds the end back for it (JetStreamLostDeliveryTest
 * makes that case deterministic). On a failure the message says what is missing and whether the durable
 * still redelivers it. Count: {@code -Dfifochan.nats.killMessages} (default 20,000);
 * kills, evenly spread: {@code -Dfifochan.nats.kills} (default 1, at a third).
 */
@Timeout(300)
class JetStreamServerKillTest {
  private static final int N = Integer.getInteger("fifochan.nats.killMessages", 20_000);
  private static final int KILLS = Integer.getInteger("fifochan.nats.kills", 1);

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
        java.util.List<Integer> killedAt = new java.util.ArrayList<>();
        long t0 = System.nanoTime();
        try (Sender<String> tx = Nats.openSender(pub, subject, Codecs.string(), ChannelConfig.defaults(), js)) {
          int spread = KILLS == 1 ? 3 : KILLS + 1; // one kill at a third (as always), more spread evenly
          int k = 1;
          for (int i = 0; i < N; i++) {
            if (k <= KILLS && i == (int) ((long) N * k / spread)) {
              server.kill();
              Thread.sleep(1000);
              server.restart();
              killedAt.add(i);
              k++;
            }
            tx.send(Integer.toString(i));
          }
        }
        int delivered = receiving.get(240, TimeUnit.SECONDS);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        // every acknowledged publish is in the stream after the kills (a SIGKILL of the server process
        // loses no write it acknowledged: the kernel keeps what the file store wrote)
        BitSet stored = stored(sub, js.streamFor(subject));
        assertEquals(N, stored.cardinality(), "every message stored (missing from " + stored.nextClearBit(0) + ")");
        if (seen.cardinality() != N) {
          // tell a server-side loss (acknowledged publish not stored) from a receiver-side one (stored, not delivered)
          String why = diagnose(sub, js.streamFor(subject), seen);
          System.out.println("JetStream SIGKILL at message " + killedAt + ": NOT all delivered: " + why);
          assertEquals(N, seen.cardinality(), "every message delivered (missing: " + (N - seen.cardinality()) + "): " + why);
        }
        assertEquals(0, appDuplicates[0], "no duplicate reaches the application");
        assertEquals(N, delivered);
        System.out.printf("JetStream SIGKILL at message %s of %d: all stored, all delivered in %d s; duplicates dropped by the"
            + " receiver: %d; out of order: %d%n", killedAt, N, seconds, source.duplicates(), source.outOfOrder());
        assertTrue(source.duplicates() >= 0);
        assertNull(null);
      }
    }
  }

  /** The message numbers the stream holds: read again from the start with an ordered consumer. */
  private static BitSet stored(Connection nc, String stream) throws Exception {
    BitSet stored = new BitSet(N);
    io.nats.client.StreamContext sc = nc.getStreamContext(stream);
    try (io.nats.client.IterableConsumer it = sc.createOrderedConsumer(new io.nats.client.api.OrderedConsumerConfiguration()).iterate()) {
      io.nats.client.Message m;
      while ((m = it.nextMessage(Duration.ofSeconds(3))) != null) {
        if (m.getHeaders() != null && m.getHeaders().getFirst("fc-rec") == null && m.getData().length > 0) {
          stored.set(Integer.parseInt(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8)));
        }
      }
    }
    return stored;
  }

  /**
   * For a failure message: which numbers are missing, the durable's state, and whether the durable still
   * redelivers them (waited for up to 40 s: ackWait + 10 s).
   */
  private static String diagnose(Connection nc, String stream, BitSet seen) {
    StringBuilder out = new StringBuilder();
    java.util.List<Integer> missing = new java.util.ArrayList<>();
    for (int i = seen.nextClearBit(0); i < N && missing.size() < 20; i = seen.nextClearBit(i + 1)) {
      missing.add(i);
    }
    out.append("missing ").append(missing);
    try {
      io.nats.client.StreamContext sc = nc.getStreamContext(stream);
      io.nats.client.api.ConsumerInfo ci = nc.jetStreamManagement().getConsumerInfo(stream, "killtest");
      out.append("; durable: ack pending ").append(ci.getNumAckPending()).append(", pending ").append(ci.getNumPending())
          .append(", redelivered ").append(ci.getRedelivered());
      io.nats.client.ConsumerContext cc = sc.getConsumerContext("killtest");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      java.util.List<Integer> later = new java.util.ArrayList<>();
      while (System.nanoTime() < until) {
        io.nats.client.Message m = cc.next(Duration.ofSeconds(5));
        if (m != null && m.getHeaders() != null && m.getHeaders().getFirst("fc-rec") == null && m.getData().length > 0) {
          int i = Integer.parseInt(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8));
          if (!seen.get(i)) {
            later.add(i);
          }
          m.ack();
        }
      }
      out.append("; redelivered to the durable within 40 s after the receiver ended: ").append(later);
    } catch (Exception e) {
      out.append("; (diagnosis failed: ").append(e).append(')');
    }
    return out.toString();
  }
}
