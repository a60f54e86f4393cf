package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.Headers;
import dev.fifochan.Sender;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a sender puts on the wire, as a plain jnats subscriber sees it (docs/nats.md §2): pins the
 * mapping of frames to NATS messages and headers that other languages implement.
 */
@Timeout(120)
class NatsFrameSinkWireTest {
  @RegisterExtension static final SharedServer NATS = new SharedServer();

  private static String subject(String name) {
    return "wire." + name + "." + System.nanoTime();
  }

  /** A codec that tags its frames (and changes the tag on "switch"), to see {@code fc-tag} on the wire. */
  private static final class Tagged implements Codec<String> {
    @Override
    public String name() {
      return "string";
    }

    @Override
    public void encode(String value, dev.fifochan.PayloadSink sink) throws java.io.IOException {
      sink.write(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String decode(String tag, java.nio.ByteBuffer payload) {
      byte[] b = new byte[payload.remaining()];
      payload.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String tagOf(String value) {
      return value.startsWith("switch") ? "t.été" : "t.one";
    }
  }

  @Test
  void coreFramesCarryTheMappingsHeadersAndTheUsersOnes() throws Exception {
    String subject = subject("core");
    Subscription sub = NATS.nc().subscribe(subject);
    NATS.nc().flush(Duration.ofSeconds(10));
    String session;
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string())) {
      tx.send("a");
      tx.send("b", Headers.builder().put("k", "v").put("bin", new byte[] {0, 10, (byte) 0xFF}).put("fc-kind", "x").build());
      tx.send("c");
      tx.flush();
    }
    Message start = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals("start", start.getHeaders().getFirst("fc-rec"));
    session = start.getHeaders().getFirst("fc-session");
    assertTrue(session.matches("[0-9a-f]{24}"), session);

    Message a = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals(Set.of("fc-session", "fc-seq"), new TreeSet<>(a.getHeaders().keySet()));
    assertEquals(session, a.getHeaders().getFirst("fc-session"));
    assertEquals("1", a.getHeaders().getFirst("fc-seq"));
    assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), a.getData());

    Message b = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals(Set.of("fc-session", "fc-seq", "k", "bin", "fc-kind"), new TreeSet<>(b.getHeaders().keySet()));
    assertEquals("2", b.getHeaders().getFirst("fc-seq"));
    assertEquals("v", b.getHeaders().getFirst("k"));
    assertEquals("b64:" + Base64.getEncoder().encodeToString(new byte[] {0, 10, (byte) 0xFF}), b.getHeaders().getFirst("bin"));
    assertEquals("x", b.getHeaders().getFirst("fc-kind"));
    assertEquals(List.of("2"), b.getHeaders().get("fc-seq"), "one value per key");

    Message c = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals(Set.of("fc-session", "fc-seq"), new TreeSet<>(c.getHeaders().keySet()));
    assertEquals("3", c.getHeaders().getFirst("fc-seq"));

    Message end = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals("end", end.getHeaders().getFirst("fc-rec"));
    assertEquals("3", end.getHeaders().getFirst("fc-seq"));
    sub.unsubscribe();
  }

  @Test
  void tagsAreEncodedAndFollowTheirChange() throws Exception {
    String subject = subject("tags");
    Subscription sub = NATS.nc().subscribe(subject);
    NATS.nc().flush(Duration.ofSeconds(10));
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, new Tagged())) {
      tx.send("one");
      tx.send("switch");
      tx.send("one again");
      tx.flush();
    }
    sub.nextMessage(Duration.ofSeconds(10)); // start
    assertEquals("t.one", sub.nextMessage(Duration.ofSeconds(10)).getHeaders().getFirst("fc-tag"));
    assertEquals("b64:" + Base64.getEncoder().encodeToString("t.été".getBytes(StandardCharsets.UTF_8)),
        sub.nextMessage(Duration.ofSeconds(10)).getHeaders().getFirst("fc-tag"));
    Message third = sub.nextMessage(Duration.ofSeconds(10));
    assertEquals("t.one", third.getHeaders().getFirst("fc-tag"));
    assertEquals("3", third.getHeaders().getFirst("fc-seq"));
    sub.unsubscribe();
  }

  @Test
  void jetStreamFramesCarryTheirMessageId() throws Exception {
    String subject = subject("js");
    NatsOptions js = NatsOptions.jetStream();
    String session;
    try (Sender<String> tx = Nats.openSender(NATS.nc(), subject, Codecs.string(), dev.fifochan.ChannelConfig.defaults(), js)) {
      tx.send("a");
      tx.send("b");
      tx.flush();
    }
    JetStreamSubscription sub = NATS.nc().jetStream().subscribe(subject, PullSubscribeOptions.builder().build());
    List<Message> got = sub.fetch(4, Duration.ofSeconds(10));
    assertEquals(4, got.size(), "start, two frames, end");
    session = got.get(0).getHeaders().getFirst("fc-session");
    assertEquals(session + "-s", got.get(0).getHeaders().getFirst("Nats-Msg-Id"));
    for (int i = 1; i <= 2; i++) {
      io.nats.client.impl.Headers h = got.get(i).getHeaders();
      assertEquals(Set.of("fc-session", "fc-seq", "Nats-Msg-Id"), new TreeSet<>(h.keySet()));
      assertEquals(String.valueOf(i), h.getFirst("fc-seq"));
      assertEquals(session + "-" + i, h.getFirst("Nats-Msg-Id"));
    }
    assertEquals(session + "-e", got.get(3).getHeaders().getFirst("Nats-Msg-Id"));
    sub.unsubscribe();
  }
}
