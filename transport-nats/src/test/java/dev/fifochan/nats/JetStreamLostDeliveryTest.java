package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumer;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A frame JetStream delivered to the consumer that never reached the receiver (in flight when the
 * server or the connection died: JetStreamServerKillTest's one lost message) comes again only after
 * {@code ackWait}, after the session's end. The receiver must not end the session before it: the end
 * is held back until the missing frames come, or until the consumer's acknowledgement floor shows they
 * were acknowledged elsewhere. Made deterministic here with a second client of the same durable that
 * takes the first records and "loses" one of them (neither acknowledged nor nak'ed).
 */
@Timeout(120)
class JetStreamLostDeliveryTest {
  private static final int N = 100;
  @RegisterExtension static final SharedServer NATS = new SharedServer();

  /** The start and frames 1..29 handed back (nak), frame 30 lost: it comes after the end, which must wait for it. */
  @Test
  void aFrameLostInFlightIsDeliveredBeforeTheEnd() throws Exception {
    String subject = "lost.inflight." + System.nanoTime();
    NatsOptions js = publish(subject);
    List<Integer> stolen = take(subject, js, 31, false);
    assertEquals(30, stolen.size());
    NatsFrameSource source = source(subject, js);
    BitSet seen = receiveAll(source);
    assertEquals(N, seen.cardinality(), "every message delivered (missing from " + seen.nextClearBit(0) + ")");
    assertEquals(1, source.endsHeld(), "the end waited for frame 30");
    assertEquals(0, source.endsGivenUp());
  }

  /**
   * The start and frames 1..29 acknowledged by the other client, frame 30 lost: the receiver joins the
   * session at 31, gets 30 again after ackWait, and ends when the acknowledgement floor reaches the end,
   * not when it gives up waiting for frames 1..29 (twice ackWait plus 5 s).
   */
  @Test
  void framesAcknowledgedElsewhereDoNotHoldTheEndBack() throws Exception {
    String subject = "lost.acked." + System.nanoTime();
    NatsOptions js = publish(subject);
    take(subject, js, 31, true);
    NatsFrameSource source = source(subject, js);
    BitSet seen = receiveAll(source);
    BitSet expected = new BitSet();
    expected.set(29, N); // 0..28 (frames 1..29) were acknowledged by the other client
    assertEquals(expected, seen, "frame 30 (value 29) redelivered, the rest once");
    assertEquals(1, source.endsHeld(), "the end waited (frames 1..30 not seen when it came)");
    assertEquals(0, source.endsGivenUp(), "ended by the acknowledgement floor, not by giving up");
  }

  private static NatsOptions publish(String subject) throws Exception {
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).durable("d" + Math.abs(subject.hashCode()))
        .replay(NatsOptions.Replay.ALL).ackWait(Duration.ofSeconds(4)).build();
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), js)) {
      for (int i = 0; i < N; i++) {
        tx.send(Integer.toString(i));
      }
    }
    return js;
  }

  /**
   * Another client of the durable fetches the first {@code count} records (the start and frames), and
   * hands all but the last back (nak) or acknowledges them ({@code ack}); the last is neither (lost on
   * the way). Returns the values of the frames it took.
   */
  private static List<Integer> take(String subject, NatsOptions js, int count, boolean ack) throws Exception {
    String stream = js.streamFor(subject);
    NATS.nc().jetStreamManagement().addOrUpdateConsumer(stream, NatsStreams.consumer(subject, js));
    ConsumerContext cc = NATS.nc().getStreamContext(stream).getConsumerContext(js.durable());
    List<Integer> values = new ArrayList<>();
    List<Message> taken = new ArrayList<>();
    try (FetchConsumer f = cc.fetchMessages(count)) {
      for (int i = 0; i < count; i++) {
        Message m = f.nextMessage();
        assertNotNull(m, "fetched " + i + " of " + count);
        taken.add(m);
        if (m.getHeaders().getFirst("fc-rec") == null) {
          values.add(Integer.parseInt(new String(m.getData(), StandardCharsets.UTF_8)));
        }
      }
    }
    // settled after the fetch, so that nothing handed back comes to this fetch again
    for (Message m : taken.subList(0, count - 1)) {
      if (ack) {
        m.ackSync(Duration.ofSeconds(5));
      } else {
        m.nak();
      }
    }
    NATS.nc().flush(Duration.ofSeconds(5));
    return values;
  }

  private static NatsFrameSource source(String subject, NatsOptions js) throws Exception {
    return (NatsFrameSource) Nats.openSource(NATS.nc(), subject, ChannelConfig.defaults(), js, null, "string");
  }

  private static BitSet receiveAll(NatsFrameSource source) throws Exception {
    BitSet seen = new BitSet(N);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), ChannelConfig.defaults())) {
      String m;
      while ((m = rx.receive(Duration.ofSeconds(30))) != null) {
        int v = Integer.parseInt(m);
        assertTrue(!seen.get(v), "delivered twice: " + v);
        seen.set(v);
      }
    }
    return seen;
  }
}
