package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.Sender;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JetStream receiver that dies with messages taken and not acknowledged, restarted with the same durable
 * consumer: the server redelivers those messages only after {@code ackWait}, after newer ones. The
 * restarted receiver joins the session at the first newer frame and must still deliver the older ones when
 * they come (they are not duplicates) — the cause of the bridge's loss when it was killed while records
 * flowed (docs/nats.md §6). Also the same with the session's end arriving before the redeliveries: a
 * following receiver (as the bridge is) delivers them after the end (one that does not follow has ended
 * there; the messages stay unacknowledged for the next consumer).
 */
@Timeout(120)
class JetStreamConsumerRestartTest {
  private static NatsServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = NatsServerProcess.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void framesTakenByADeadConsumerAreDeliveredAfterARestart() throws Exception {
    run("restart.open", false);
  }

  @Test
  void framesRedeliveredAfterTheSessionEndedAreDelivered() throws Exception {
    run("restart.ended", true);
  }

  private void run(String subject, boolean endFirst) throws Exception {
    int n = 3000;
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).durable("d-" + subject.replace('.', '-'))
        .replay(NatsOptions.Replay.ALL).ackWait(Duration.ofSeconds(2)).maxInFlight(256).build();
    NatsConnectOptions co = NatsConnectOptions.server(server.url());
    try (Connection pub = co.connect()) {
      Sender<String> tx = Nats.openSender(pub, subject, Codecs.string(), ChannelConfig.defaults(), js);
      for (int i = 0; i < n / 2; i++) {
        tx.send(Integer.toString(i));
      }
      tx.flush();
      BitSet seen = new BitSet(n);
      // the first receiver takes 500 records (the consumer has prefetched more), acknowledges them and dies
      Connection first = co.connect();
      FrameSource a = Nats.openSource(first, subject, ChannelConfig.defaults(), js, null, "string");
      int frames = 0;
      while (frames < 500) {
        InboundRecord r = a.next(Deadline.after(Duration.ofSeconds(10)));
        assertNotNull(r);
        if (r.kind() == InboundRecord.Kind.FRAME) {
          seen.set(Integer.parseInt(StandardCharsets.UTF_8.decode(r.payload()).toString()));
          a.delivered(r);
          a.released(r, null); // processed: acknowledged
          frames++;
        }
      }
      first.close(); // gone without acknowledging what it had prefetched
      for (int i = n / 2; i < n; i++) {
        tx.send(Integer.toString(i));
      }
      if (endFirst) {
        tx.close();
      } else {
        tx.flush();
      }
      try (Connection second = co.connect()) {
        NatsFrameSource b = (NatsFrameSource) Nats.openSource(second, subject, ChannelConfig.defaults(),
            js.toBuilder().follow(true).build(), null, "string");
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean late = false;
        int highest = -1;
        while (seen.cardinality() < n && System.nanoTime() < until) {
          InboundRecord r = b.next(Deadline.after(Duration.ofMillis(500)));
          if (r != null && r.kind() == InboundRecord.Kind.FRAME) {
            int v = Integer.parseInt(StandardCharsets.UTF_8.decode(r.payload()).toString());
            late |= v < highest;
            highest = Math.max(highest, v);
            seen.set(v);
            b.delivered(r);
            b.released(r, null);
          }
        }
        assertEquals(n, seen.cardinality(), "every message delivered after the restart (missing from "
            + seen.nextClearBit(0) + ")");
        assertTrue(late, "the records the first consumer had taken came after newer ones (redelivered after ackWait)");
        System.out.printf("%s: restarted consumer delivered everything; duplicates dropped %d, out of order %d%n", subject,
            b.duplicates(), b.outOfOrder());
        b.close();
      }
      if (!endFirst) {
        tx.close();
      }
    }
  }
}
