package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Envelope;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.spi.FrameSource;
import io.nats.client.api.ConsumerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a receiver and a sender tell each other over a real nats-server since the core's follow-ups
 * (docs/migration-1.0.md): a TRANSPORT refusal names both limits; an undecodable {@code fc-tag} is
 * {@code BAD_TAG} and an undecodable header value {@code VALUE_ENCODING}; JetStream acknowledges a frame
 * when the application is done with it ({@code FrameSource.released}) and redelivers one whose handler
 * threw; the source enforces the receiver's codec check, for joined sessions too.
 */
@Timeout(120)
class NatsReceiverContractTest {
  @RegisterExtension static final SharedServer NATS = new SharedServer();

  private static String subject(String name) {
    return "contract." + name + "." + System.nanoTime();
  }

  @Test
  void transportRefusalNamesMaxPayloadAndTheFrameLimit() throws Exception {
    String subject = subject("big");
    long max = NATS.nc().getMaxPayload();
    ChannelConfig config = ChannelConfig.defaults();
    try (Sender<byte[]> tx = Nats.openSender(NATS.nc(), subject, Codecs.bytes())) {
      // while the codec writes: the payload alone passes max_payload
      MessageTooLongException p = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[(int) max + 1]));
      assertEquals(MessageTooLongException.Limit.TRANSPORT, p.which());
      assertEquals(max, p.limit());
      assertEquals(config.maxFrameLength(), p.frameLimit());
      // at commit: the headers push it over
      MessageTooLongException h = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[(int) max - 10]));
      assertEquals(MessageTooLongException.Limit.TRANSPORT, h.which());
      assertEquals(max, h.limit());
      assertEquals(config.maxFrameLength(), h.frameLimit());
      assertTrue(h.getMessage().contains(Long.toString(config.maxFrameLength())), h.getMessage());
    }
  }

  @Test
  void badTagIsBadTagAndBadValueEncodingIsValueEncoding() throws Exception {
    String subject = subject("malformed");
    NatsOptions follow = NatsOptions.builder().follow(true).build();
    try (Receiver<String> rx = Nats.openReceiver(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), follow)) {
      publish(subject, "start", "m1", -1, null);
      publish(subject, null, "m1", 1, "bad tag", "fc-tag", "b64:*not base64*");
      publish(subject, null, "m1", 2, "tag not UTF-8", "fc-tag",
          "b64:" + Base64.getEncoder().encodeToString(new byte[] {'t', (byte) 0xFF}));
      publish(subject, null, "m1", 3, "bad value", "x", "b64:%%%");
      publish(subject, null, "m1", 4, "fine", "y",
          "b64:" + Base64.getEncoder().encodeToString("café".getBytes(StandardCharsets.UTF_8)));
      publish(subject, "end", "m1", 4, null);
      NATS.nc().flush(Duration.ofSeconds(5));

      MalformedFrameException tag = assertThrows(MalformedFrameException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(MalformedFrameException.Reason.BAD_TAG, tag.reason());
      assertNull(tag.headerFault());
      assertEquals("b64:*not base64*", tag.tag(), "the value as it arrived");
      assertEquals("bad tag", new String(tag.payload(), StandardCharsets.UTF_8));

      MalformedFrameException utf8 = assertThrows(MalformedFrameException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(MalformedFrameException.Reason.BAD_TAG, utf8.reason());
      assertEquals("t\uFFFD", utf8.tag(), "shown with a replacement character");

      MalformedFrameException value = assertThrows(MalformedFrameException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(MalformedFrameException.Reason.BAD_HEADERS, value.reason());
      assertEquals(MalformedFrameException.HeaderFault.VALUE_ENCODING, value.headerFault());
      assertEquals("bad value", new String(value.payload(), StandardCharsets.UTF_8));

      Envelope<String> fine = rx.receiveEnvelope(Duration.ofSeconds(10));
      assertEquals("fine", fine.value(), "each failure is one message's");
      assertEquals("café", fine.headers().getString("y"));
    }
  }

  @Test
  void jetStreamAcknowledgesWhenReleasedAndRedeliversAFailedHandlersMessage() throws Exception {
    String subject = subject("ack");
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).replay(NatsOptions.Replay.ALL)
        .ackWait(Duration.ofSeconds(60)).build();
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string(), ChannelConfig.defaults(), js)) {
      for (String s : new String[] {"a", "b", "c", "d"}) {
        tx.send(s);
      }
    }
    NatsFrameSource source = (NatsFrameSource) Nats.openSource(NATS.nc(), subject, ChannelConfig.defaults(), js, null, null);
    String stream = js.streamFor(subject);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), ChannelConfig.defaults())) {
      Envelope<String> a = rx.receiveEnvelope(Duration.ofSeconds(10));
      assertEquals("a", a.value());
      // taken, not processed: not acknowledged while the application holds it (a flush makes sure
      // any acknowledgement sent has reached the server)
      NATS.nc().flush(Duration.ofSeconds(5));
      Thread.sleep(300);
      assertTrue(ackFloor(stream, source) < a.position(), "acknowledged before the application was done with it");
      // the next call releases it: acknowledged
      assertEquals("b", rx.receive(Duration.ofSeconds(10)));
      awaitAckFloor(stream, source, a.position());

      // a handler that throws: nak'ed, delivered again (not dropped as a duplicate), then acknowledged
      List<String> handled = new ArrayList<>();
      IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> rx.poll((m, h) -> {
        handled.add(m);
        throw new IllegalStateException("handler failed on " + m);
      }, 1, Duration.ofSeconds(10)));
      assertEquals("handler failed on c", thrown.getMessage());
      long duplicatesBefore = source.duplicates();
      List<String> next = new ArrayList<>();
      while (next.size() < 2) {
        assertTrue(rx.poll((m, h) -> next.add(m), 1, Duration.ofSeconds(10)) > 0, "got " + next);
      }
      assertEquals(List.of("c", "d"), next.stream().sorted().toList(), "c again (redelivered after the nak), and d");
      assertEquals(duplicatesBefore, source.duplicates(), "the redelivered c is not a duplicate");
      assertNull(rx.receive(Duration.ofSeconds(10)), "the session's end");
      awaitPendingZero(stream, source);
    }
  }

  @Test
  void theSourceEnforcesTheReceiversCodecCheckForJoinedSessionsToo() throws Exception {
    String subject = subject("codecs");
    NatsOptions follow = NatsOptions.builder().follow(true).assumedCodec("bytes").build();
    FrameSource probe = Nats.openSource(NATS.nc(), subject(subject), ChannelConfig.defaults(), follow, null, null);
    try {
      assertTrue(probe.enforceCodecs(c -> true, "string"), "a NATS source enforces the check itself");
    } finally {
      probe.close();
    }
    // made accepting every codec; the receiver's string codec check replaces that
    FrameSource source = Nats.openSource(NATS.nc(), subject, ChannelConfig.defaults(), follow, null, null);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), ChannelConfig.defaults())) {
      // a session announcing another codec
      publish(subject, "start", "other", -1, null, "fc-codec", "protobuf");
      publish(subject, null, "other", 1, "{}");
      // a session joined without its start: the assumed codec (bytes) is checked
      publish(subject, null, "joined", 7, "seven");
      // a string session: delivered
      publish(subject, "start", "good", -1, null);
      publish(subject, null, "good", 1, "hello");
      NATS.nc().flush(Duration.ofSeconds(5));
      IncompatibleStreamException other = assertThrows(IncompatibleStreamException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(IncompatibleStreamException.Reason.CODEC, other.reason());
      assertEquals("protobuf", other.writerValue());
      assertEquals("string", other.readerValue());
      IncompatibleStreamException joined = assertThrows(IncompatibleStreamException.class, () -> rx.receive(Duration.ofSeconds(10)));
      assertEquals(IncompatibleStreamException.Reason.CODEC, joined.reason());
      assertEquals("bytes", joined.writerValue());
      assertEquals("hello", rx.receive(Duration.ofSeconds(10)), "the refused sessions' records are skipped");
    }
  }

  private static long ackFloor(String stream, NatsFrameSource source) throws Exception {
    ConsumerInfo ci = NATS.nc().jetStreamManagement().getConsumerInfo(stream, source.consumerName());
    return ci.getAckFloor().getStreamSequence();
  }

  private static void awaitAckFloor(String stream, NatsFrameSource source, long atLeast) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long floor;
    while ((floor = ackFloor(stream, source)) < atLeast && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertTrue(floor >= atLeast, "acknowledged when released: ack floor " + floor + ", wanted " + atLeast);
  }

  private static void awaitPendingZero(String stream, NatsFrameSource source) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long pending;
    while ((pending = NATS.nc().jetStreamManagement().getConsumerInfo(stream, source.consumerName()).getNumAckPending()) > 0
        && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertEquals(0, pending, "every message acknowledged in the end");
  }

  /** A raw NATS message of the mapping (docs/nats.md §2), with extra header pairs (key, value, ...). */
  private static void publish(String subject, String rec, String session, long seq, String body, String... extra) {
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
    for (int i = 0; i + 1 < extra.length; i += 2) {
      h.put(extra[i], extra[i + 1]);
    }
    NATS.nc().publish(subject, h, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
  }
}
