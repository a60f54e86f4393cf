package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.internal.Utf8;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deadline, Headers, ChannelConfig, WaitStrategy and the exceptions' data. */
class CoreTypesTest {

  @Test
  void deadlines() throws Exception {
    Deadline none = Deadline.none();
    assertTrue(none.isNone());
    assertFalse(none.hasExpired());
    assertEquals(Long.MAX_VALUE, none.remainingNanos());
    assertNull(none.timeout());
    assertThrows(IllegalStateException.class, none::nanoTime);

    Deadline d = Deadline.after(Duration.ofMillis(200));
    assertFalse(d.hasExpired());
    assertTrue(d.remainingNanos() > 0 && d.remainingNanos() <= 200_000_000L);
    assertEquals(Duration.ofMillis(200), d.timeout());
    assertSame(d, d.min(none));
    assertSame(d, none.min(d));
    assertTrue(d.compareTo(none) < 0);

    Deadline past = Deadline.after(Duration.ZERO);
    assertTrue(past.hasExpired());
    assertEquals(0, past.remainingNanos());
    assertTrue(Deadline.after(Duration.ofSeconds(-5)).hasExpired(), "a negative timeout has passed already");
    assertSame(past, past.min(d));
    assertFalse(Deadline.after(Duration.ofDays(365 * 300)).isNone(), "a huge timeout is capped, not 'none'");
    assertFalse(Deadline.after(Duration.ofDays(365 * 300)).hasExpired());

    Deadline at = Deadline.atNanoTime(System.nanoTime() + 50_000_000L);
    Thread.sleep(80);
    assertTrue(at.hasExpired());
    assertEquals(0, at.remainingNanos());
  }

  @Test
  void headersAreImmutableOrderedAndValidated() {
    Headers h = Headers.builder().put("fc-id", "42").put("content-type", "application/json")
        .put("bin", new byte[] {1, 2}).put("fc-id", "43").build();
    assertEquals(3, h.size());
    assertEquals(List.of("fc-id", "content-type", "bin"), new ArrayList<>(h.keys()), "insertion order; a put replaces");
    assertEquals("43", h.getString("fc-id"));
    assertArrayEquals(new byte[] {1, 2}, h.get("bin"));
    h.get("bin")[0] = 9;
    assertArrayEquals(new byte[] {1, 2}, h.get("bin"), "values are copies");
    assertNull(h.get("missing"));
    assertTrue(h.containsKey("bin"));
    assertSame(h, h.copy());
    assertTrue(Headers.empty().isEmpty());
    assertSame(Headers.empty(), Headers.builder().build());
    assertEquals(h, Headers.builder().put("bin", new byte[] {1, 2}).put("content-type", "application/json").put("fc-id", "43").build(),
        "equal whatever the order");
    for (String bad : new String[] {"", "Upper", "sp ace", "ü", "k".repeat(65), "a/b"}) {
      assertThrows(IllegalArgumentException.class, () -> Headers.builder().put(bad, "v"), bad);
    }
    Headers.builder().put("a-z.0_9", "ok").put("k".repeat(64), "");
    assertThrows(IllegalArgumentException.class, () -> Headers.of("odd"));
  }

  @Test
  void channelConfigValidatesAsItIsBuilt() {
    ChannelConfig d = ChannelConfig.defaults();
    assertEquals(16 << 20, d.maxFrameLength());
    assertEquals(256 * 1024, d.bufferSize());
    assertEquals(Duration.ofNanos(50_000), d.flushDelay());
    assertEquals(Duration.ofSeconds(30), d.closeTimeout());
    assertEquals(Duration.ZERO, d.heartbeatInterval());
    assertEquals(Duration.ZERO, d.livenessTimeout());
    assertEquals(WireVersion.V1_1, d.wireVersion());
    assertTrue(d.waitStrategy().parksAtOnce());
    assertNull(d.deadLetters());
    assertNull(d.name());
    ChannelConfig.Builder b = ChannelConfig.builder();
    assertThrows(IllegalArgumentException.class, () -> b.maxFrameLength(-1));
    assertThrows(IllegalArgumentException.class, () -> b.bufferSize(4095));
    assertThrows(IllegalArgumentException.class, () -> b.flushDelay(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.heartbeatInterval(Duration.ofNanos(10)));
    assertThrows(IllegalArgumentException.class, () -> b.livenessTimeout(Duration.ofNanos(10)));
    assertThrows(IllegalArgumentException.class, () -> b.name(" "));
    assertThrows(NullPointerException.class, () -> b.wireVersion(null));
    ChannelConfig c = d.toBuilder().checksum(true).name("orders").build();
    assertTrue(c.checksum());
    assertEquals("orders", c.name());
    assertFalse(d.checksum(), "the defaults are sealed");
  }

  @Test
  void waitStrategies() {
    assertTrue(WaitStrategy.park().parksAtOnce());
    WaitStrategy s = WaitStrategy.spinning(Duration.ofNanos(50_000), Duration.ofNanos(200_000));
    assertFalse(s.parksAtOnce());
    assertEquals(Duration.ofNanos(50_000), s.spinDuration());
    assertEquals(Duration.ofNanos(200_000), s.yieldDuration());
    assertSame(WaitStrategy.park(), WaitStrategy.spinning(Duration.ZERO, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> WaitStrategy.spinning(Duration.ofNanos(-1), Duration.ZERO));
  }

  @Test
  void exceptionsCarryTheirDataAndComposeTheirMessages() {
    TruncatedStreamException t = new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, 120, 2);
    assertEquals(120, t.position());
    assertEquals(2, t.openWriters());
    assertTrue(t.getMessage().contains("120") && t.getMessage().contains("2 writer sessions"), t.getMessage());

    CorruptFrameException c = new CorruptFrameException(CorruptFrameException.Reason.RESERVED_FLAGS, 11, 0x20);
    assertEquals(0x20, c.value());
    assertTrue(c.getMessage().contains("20") && c.getMessage().contains("position 11"), c.getMessage());

    ChecksumMismatchException m = new ChecksumMismatchException(0xdeadbeef, 0x01020304, 7);
    assertInstanceOf(CorruptFrameException.class, m);
    assertEquals(CorruptFrameException.Reason.CHECKSUM, m.reason());
    assertTrue(m.getMessage().contains("deadbeef"), m.getMessage());

    IncompatibleStreamException i = new IncompatibleStreamException(IncompatibleStreamException.Reason.CODEC, "protobuf", "json", 0);
    assertTrue(i.getMessage().contains("protobuf") && i.getMessage().contains("json"), i.getMessage());

    MessageTooLongException l = new MessageTooLongException(5000, 4096, MessageTooLongException.Limit.ATOMIC_WRITE);
    assertInstanceOf(MessageException.class, l);
    assertEquals(-1, l.position());
    assertTrue(l.getMessage().contains("not sent"), l.getMessage());

    DecodeException de = new DecodeException("t", new byte[] {1, 2, 3}, 40, new IllegalStateException("bad"));
    assertEquals(3, de.payloadLength());
    assertTrue(de.getMessage().contains("position 40") && de.getMessage().contains("bad"), de.getMessage());
    assertInstanceOf(MessageException.class, de);

    PeerClosedException p = new PeerClosedException("/tmp/f", 10, 3, true, null);
    assertTrue(p.countsKnown() && p.frameTorn());
    assertFalse(new PeerClosedException("/tmp/f", null).countsKnown());

    SendTimeoutException s = new SendTimeoutException(Duration.ofMillis(250));
    assertInstanceOf(InterruptedIOException.class, s, "a timeout is the JDK's 'a blocking I/O call gave up'");
    assertFalse(FifochanException.class.isInstance(s), "a timeout is not a FifochanException");
    assertEquals(0, s.bytesTransferred);
    assertTrue(s.getMessage().contains("250 ms") && s.getMessage().contains("not sent"), s.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SendTimeoutException(Duration.ZERO, FifochanTimeoutException.Operation.RECEIVE));

    CloseTimeoutException ct = new CloseTimeoutException(Duration.ofSeconds(1), 5, 2, false, null);
    assertTrue(ct.getMessage().contains("5 messages written") && ct.getMessage().contains("2 accepted but discarded"), ct.getMessage());

    StreamAbortedException a = new StreamAbortedException("disk full", true, 32);
    assertEquals("disk full", a.reason());
    assertTrue(a.getMessage().contains("disk full"));
  }

  @Test
  void aTransportRefusalNamesTheTransportsLimitAndTheFrameLimit() {
    MessageTooLongException t = new MessageTooLongException(1_048_700, 1_048_576, MessageTooLongException.Limit.TRANSPORT,
        16 << 20);
    assertEquals(1_048_576, t.limit(), "the transport's limit (max_payload)");
    assertEquals(16 << 20, t.frameLimit(), "and fifochan's frame limit, as data");
    assertTrue(t.getMessage().contains("1048576") && t.getMessage().contains(Integer.toString(16 << 20)), t.getMessage());
    assertEquals(-1, new MessageTooLongException(10, 5, MessageTooLongException.Limit.TRANSPORT).frameLimit(), "not given");
    assertFalse(new MessageTooLongException(10, 5, MessageTooLongException.Limit.TRANSPORT).getMessage().contains("frame length"));
    assertEquals(4096, new MessageTooLongException(5000, 4096, MessageTooLongException.Limit.FRAME).frameLimit(),
        "a FRAME refusal's frame limit is its limit");
    assertEquals(4096, new MessageTooLongException(5000, 4096, MessageTooLongException.Limit.FRAME, -1).frameLimit());
    assertThrows(IllegalArgumentException.class,
        () -> new MessageTooLongException(5000, 4096, MessageTooLongException.Limit.FRAME, 8192));
    assertEquals(8192, new MessageTooLongException(9000, 8192, MessageTooLongException.Limit.HEADERS, 1 << 20).limit());
  }

  @Test
  void aSendersFrameRefusalCarriesTheFrameLimit() throws Exception {
    java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
    try (Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), ChannelConfig.builder().maxFrameLength(1000).build())) {
      MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[1001]));
      assertEquals(MessageTooLongException.Limit.FRAME, e.which());
      assertEquals(1000, e.limit());
      assertEquals(1000, e.frameLimit());
    } finally {
      pipe.source().close();
    }
  }

  @Test
  void anUndecodableHeaderValueIsAHeaderFaultOfItsOwn() {
    MalformedFrameException m = new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS,
        MalformedFrameException.HeaderFault.VALUE_ENCODING, "order", new byte[] {1, 2}, 7);
    assertEquals(MalformedFrameException.HeaderFault.VALUE_ENCODING, m.headerFault());
    assertInstanceOf(DecodeException.class, m, "one message fails; the receiver goes on");
    assertTrue(m.getMessage().contains("transport encoding") && m.getMessage().contains("position 7"), m.getMessage());
    MalformedFrameException k = new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS,
        MalformedFrameException.HeaderFault.KEY_BYTE, "", new byte[0], 3);
    assertTrue(k.getMessage().contains("KEY_BYTE"), k.getMessage());
  }

  @Test
  void abortReasonsReplaceEachRunOfInvalidUtf8ByOneReplacementCharacter() {
    assertEquals("ok", Utf8.decodeReplacingRuns("ok".getBytes(StandardCharsets.UTF_8), 0, 2));
    byte[] b = {'a', (byte) 0xFF, (byte) 0xFE, 'b', (byte) 0xE2, (byte) 0x82, 'c', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'd'};
    // FF FE: one run; E2 82 (a cut sequence): one run; ED A0 80 (an encoded surrogate): one run
    assertEquals("a\uFFFDb\uFFFDc\uFFFDd", Utf8.decodeReplacingRuns(b, 0, b.length));
    byte[] good = "é✓😀".getBytes(StandardCharsets.UTF_8);
    assertEquals("é✓😀", Utf8.decodeReplacingRuns(good, 0, good.length));
    byte[] overlong = {(byte) 0xC0, (byte) 0xAF, 'x', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80};
    assertEquals("\uFFFDx\uFFFD", Utf8.decodeReplacingRuns(overlong, 0, overlong.length));
  }
}
