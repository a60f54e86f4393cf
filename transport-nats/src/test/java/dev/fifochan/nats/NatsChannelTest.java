package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Envelope;
import dev.fifochan.Headers;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.Receiver;
import dev.fifochan.SendStatus;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.TruncatedStreamException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Channels over a real nats-server: both modes, the mapping, the error contract. */
@Timeout(120)
class NatsChannelTest {
  @RegisterExtension static final SharedServer NATS = new SharedServer();

  private static String subject(String name) {
    return "test." + name + "." + System.nanoTime();
  }

  @Test
  void coreRoundTripWithTagsHeadersAndCleanEnd() throws Exception {
    String subject = subject("core");
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string())) {
      try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string())) {
        for (int i = 0; i < 1000; i++) {
          tx.send("m" + i, Headers.builder().put("k", "v" + i).put("bin", new byte[] {0, (byte) 0xE9, 10, 13})
              .put("text", "café ").put("fake", "b64:notreally").build());
        }
      }
      for (int i = 0; i < 1000; i++) {
        Envelope<String> e = rx.receiveEnvelope(Duration.ofSeconds(10));
        assertEquals("m" + i, e.value());
        assertEquals("v" + i, e.headers().getString("k"));
        assertArrayEquals(new byte[] {0, (byte) 0xE9, 10, 13}, e.headers().get("bin"));
        assertEquals("café ", e.headers().getString("text"));
        assertEquals("b64:notreally", e.headers().getString("fake"));
        assertEquals(4, e.headers().size());
      }
      assertNull(rx.receive(Duration.ofSeconds(10)), "the session's end ends a plain receiver");
      assertEquals(1, rx.stats().sessionsEnded());
    }
  }

  @Test
  void jetStreamRoundTripAndReplayFromAPosition() throws Exception {
    String subject = subject("js");
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).replay(NatsOptions.Replay.ALL).build();
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), js)) {
      for (int i = 0; i < 500; i++) {
        tx.send("j" + i);
      }
    }
    long position5;
    // published before the receiver existed: the stream kept it
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), js)) {
      Envelope<String> first = null;
      for (int i = 0; i < 500; i++) {
        Envelope<String> e = rx.receiveEnvelope(Duration.ofSeconds(10));
        assertEquals("j" + i, e.value());
        if (i == 5) {
          first = e;
        }
      }
      assertNull(rx.receive(Duration.ofSeconds(10)));
      position5 = first.position();
    }
    NatsOptions fromPos = js.toBuilder().replay(NatsOptions.Replay.fromSequence(position5)).assumedCodec("string").build();
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), fromPos)) {
      for (int i = 5; i < 500; i++) {
        assertEquals("j" + i, rx.receive(Duration.ofSeconds(10)));
      }
      assertNull(rx.receive(Duration.ofSeconds(10)));
    }
  }

  @Test
  void fanInKeepsSessionsApart() throws Exception {
    String subject = subject("fanin");
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string())) {
      Sender<String> a = Nats.openSender(NATS.nc(), subject, Codecs.string());
      Sender<String> b = Nats.openSender(NATS.nc(), subject, Codecs.string());
      for (int i = 0; i < 100; i++) {
        a.send("a" + i);
        b.send("b" + i);
      }
      a.close();
      b.abort("b failed");
      Map<Character, Integer> next = new HashMap<>(Map.of('a', 0, 'b', 0));
      int aborted = 0;
      int got = 0;
      while (got < 200) {
        try {
          String m = rx.receive(Duration.ofSeconds(10));
          char w = m.charAt(0);
          assertEquals(w + "" + next.get(w), m, "each session in order");
          next.put(w, next.get(w) + 1);
          got++;
        } catch (StreamAbortedException e) {
          assertEquals("b failed", e.reason());
          aborted++;
          break;
        }
      }
      assertTrue(aborted == 1 || got == 200);
    }
  }

  @Test
  void oversizeMessageRefusedBeforeSending() throws Exception {
    String subject = subject("big");
    long max = NATS.nc().getMaxPayload();
    try (Receiver<byte[]> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.bytes());
        Sender<byte[]> tx = Nats.openSender(NATS.nc(), subject, Codecs.bytes())) {
      MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[(int) max + 1]));
      assertEquals(MessageTooLongException.Limit.TRANSPORT, e.which());
      assertEquals(max, e.limit());
      // payload fits, headers push it over: still refused, headers count
      MessageTooLongException h = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[(int) max - 10]));
      assertTrue(h.length() > max, h.getMessage());
      assertEquals(SendStatus.ACCEPTED, SendStatus.of(tx.offer(new byte[] {1, 2, 3})), "the sender stays usable");
      tx.flush();
      assertArrayEquals(new byte[] {1, 2, 3}, rx.receive(Duration.ofSeconds(10)), "nothing of the refused ones was sent");
      assertEquals(2, tx.stats().tooLongRefusals());
    }
  }

  @Test
  void codecMismatchIsIncompatible() throws Exception {
    String subject = subject("codec");
    try (Receiver<byte[]> rx = Nats.openReceiver(NATS.nc(), subject, new dev.fifochan.Codec<byte[]>() {
      @Override
      public String name() {
        return "other";
      }

      @Override
      public void encode(byte[] value, dev.fifochan.PayloadSink sink) {}

      @Override
      public byte[] decode(String tag, java.nio.ByteBuffer payload) {
        return new byte[0];
      }
    }); Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string())) {
      tx.send("x");
      tx.flush();
      assertThrows(IncompatibleStreamException.class, () -> rx.receive(Duration.ofSeconds(10)));
    }
  }

  @Test
  void coreGapIsReportedNotSilent() throws Exception {
    String subject = subject("gap");
    NatsOptions follow = NatsOptions.builder().follow(true).build();
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), follow)) {
      // a publisher that skips frame 3 (as a server restart or a full client buffer would)
      publishRaw(subject, "start", "s1", -1, null);
      publishRaw(subject, null, "s1", 1, "one");
      publishRaw(subject, null, "s1", 2, "two");
      publishRaw(subject, null, "s1", 4, "four");
      publishRaw(subject, "end", "s1", 5, null);
      NATS.nc().flush(Duration.ofSeconds(5));
      assertEquals("one", rx.receive(Duration.ofSeconds(10)));
      assertEquals("two", rx.receive(Duration.ofSeconds(10)));
      MessagesLostException gap = assertThrows(MessagesLostException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(MessagesLostException.Reason.GAP, gap.reason());
      assertEquals(3, gap.expected());
      assertEquals(1, gap.lost());
      assertEquals("four", rx.receive(Duration.ofSeconds(10)), "follow mode goes on after the report");
      MessagesLostException tail = assertThrows(MessagesLostException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(1, tail.lost(), "the end says frame 5 was sent: the tail's loss is reported too");
    }
  }

  @Test
  void silentPublisherIsReportedTruncated() throws Exception {
    String subject = subject("dead");
    NatsOptions live = NatsOptions.builder().liveness(Duration.ofMillis(500)).build();
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), live)) {
      publishRaw(subject, "start", "dead1", -1, null);
      publishRaw(subject, null, "dead1", 1, "last words");
      NATS.nc().flush(Duration.ofSeconds(5));
      assertEquals("last words", rx.receive(Duration.ofSeconds(10)));
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason());
    }
  }

  @Test
  void heartbeatsKeepAQuietSessionAlive() throws Exception {
    String subject = subject("hb");
    ChannelConfig beat = ChannelConfig.builder().heartbeatInterval(Duration.ofMillis(100)).livenessTimeout(Duration.ofMillis(600)).build();
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), beat, NatsOptions.defaults());
        Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string(), beat)) {
      tx.send("first");
      assertEquals("first", rx.receive(Duration.ofSeconds(10)));
      assertThrows(dev.fifochan.ReceiveTimeoutException.class, () -> rx.receive(Duration.ofMillis(1500)));
      tx.send("second");
      assertEquals("second", rx.receive(Duration.ofSeconds(10)));
      assertTrue(rx.stats().heartbeatsReceived() > 3, "heartbeats: " + rx.stats().heartbeatsReceived());
    }
  }

  private static void publishRaw(String subject, String rec, String session, long seq, String body) {
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    if (rec != null) {
      h.put("fc-rec", rec);
    }
    h.put("fc-session", session);
    if ("start".equals(rec)) {
      h.put("fc-codec", "string");
      h.put("fc-ver", "1.1");
    }
    if (seq >= 0) {
      h.put("fc-seq", Long.toString(seq));
    }
    NATS.nc().publish(subject, h, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
  }
}
