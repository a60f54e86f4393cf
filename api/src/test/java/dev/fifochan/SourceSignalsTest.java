package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a receiver tells its {@link FrameSource} besides asking for records, over real kernel pipes: the
 * codec check it hands over ({@link FrameSource#enforceCodecs}), when the application is done with a
 * message ({@link FrameSource#released}, the acknowledgement point), and the wire bytes it counts
 * ({@link ReceiverStats#bytesRead()}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SourceSignalsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ChannelConfig CONFIG = ChannelConfig.builder().flushDelay(Duration.ZERO).build();

  /**
   * A transport with acknowledgements, as JetStream's is, over a byte stream: it writes down what the
   * receiver tells it, naming each frame by its header {@code id}.
   */
  static final class AckingSource implements FrameSource {
    final FrameSource in;
    final boolean forwardsCodecCheck;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private InboundRecord last;

    AckingSource(FrameSource in, boolean forwardsCodecCheck) {
      this.in = in;
      this.forwardsCodecCheck = forwardsCodecCheck;
    }

    @Override
    public InboundRecord next(Deadline deadline) throws IOException {
      last = in.next(deadline);
      return last;
    }

    @Override
    public void delivered(InboundRecord record) {
      assertSame(last, record, "the record next() returned last");
      events.add("delivered " + record.headers().getString("id"));
    }

    @Override
    public void released(InboundRecord record, Throwable handlerFailure) {
      assertSame(last, record, "next() was not called since");
      events.add("released " + record.headers().getString("id")
          + (handlerFailure == null ? "" : " after " + handlerFailure.getMessage()));
    }

    @Override
    public boolean enforceCodecs(Predicate<String> acceptsCodec, String readerCodec) {
      return forwardsCodecCheck && in.enforceCodecs(acceptsCodec, readerCodec);
    }

    @Override
    public long position() {
      return in.position();
    }

    @Override
    public int openSessions() {
      return in.openSessions();
    }

    @Override
    public boolean resumesAfterFailure() {
      return in.resumesAfterFailure();
    }

    @Override
    public String description() {
      return "acking " + in.description();
    }

    @Override
    public void close() {
      in.close();
    }
  }

  private static Headers id(String id) {
    return Headers.of("id", id);
  }

  @Test
  void aPulledMessageIsReleasedWhenTheApplicationComesBackOrCloses() throws Exception {
    Pipe pipe = Pipe.open();
    AckingSource source = new AckingSource(ByteStreams.source(pipe.source(), CONFIG, null), true);
    Receiver<String> rx = Receiver.over(source, Codecs.string(), CONFIG);
    try (Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG)) {
      for (String s : List.of("a", "b", "c", "d")) {
        tx.send(s, id(s));
      }
      assertEquals("a", rx.receive(WAIT));
      assertEquals(List.of("delivered a"), source.events, "taken, not processed: nothing to acknowledge yet");
      assertEquals("b", rx.receiveEnvelope(WAIT).value());
      assertEquals(List.of("delivered a", "released a", "delivered b"), source.events,
          "the application came back for the next one: done with the previous");
      assertThrows(ReceiveTimeoutException.class, () -> {
        rx.receive(WAIT);
        rx.receive(WAIT);
        rx.receive(Duration.ofMillis(50));
      });
      assertEquals(List.of("delivered a", "released a", "delivered b", "released b", "delivered c", "released c",
          "delivered d", "released d"), source.events, "a call that times out still says the previous one is done");
      source.events.clear();

      Iterator<String> it = rx.iterator();
      tx.send("e", id("e"));
      assertEquals("e", it.next());
      assertEquals(List.of("delivered e"), source.events);
    }
    rx.close();
    assertEquals(List.of("delivered e", "released e"), source.events, "closing: done with the last one");
    rx.close();
    assertEquals(2, source.events.size(), "once");
  }

  @Test
  void aHandledMessageIsReleasedWhenItsHandlerReturnsOrThrows() throws Exception {
    Pipe pipe = Pipe.open();
    AckingSource source = new AckingSource(ByteStreams.source(pipe.source(), CONFIG, null), true);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), CONFIG);
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG)) {
      for (String s : List.of("a", "b", "c", "d")) {
        tx.send(s, id(s));
      }
      assertEquals(2, rx.poll((m, h) -> source.events.add("handling " + m), 2, WAIT));
      assertEquals(List.of("delivered a", "handling a", "released a", "delivered b", "handling b", "released b"),
          source.events, "each released after its handler, before the next is read");
      source.events.clear();

      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> rx.poll((m, h) -> { throw new IllegalStateException("no room for " + m); }, 5, WAIT));
      assertEquals("no room for c", e.getMessage());
      assertEquals(List.of("delivered c", "released c after no room for c"), source.events,
          "the source is told the handler failed");
      source.events.clear();

      assertEquals(1, rx.pollFrames(f -> source.events.add("frame " + f.headers().getString("id")), 1, WAIT));
      assertEquals(List.of("delivered d", "frame d", "released d"), source.events);
      source.events.clear();

      assertEquals(0, rx.poll((m, h) -> { }, 1, Duration.ofMillis(20)));
    }
    assertTrue(source.events.isEmpty(), "closed with nothing handed out: nothing to release: " + source.events);
  }

  @Test
  void aFrameThatIsNotDeliveredIsNeitherDeliveredNorReleased() throws Exception {
    Codec<String> picky = new Codec<>() {
      @Override
      public String name() {
        return "string";
      }

      @Override
      public void encode(String value, PayloadSink sink) throws IOException {
        Codecs.string().encode(value, sink);
      }

      @Override
      public String decode(String tag, ByteBuffer payload) throws IOException {
        String s = Codecs.string().decode(tag, payload);
        if (s.startsWith("!")) {
          throw new IOException("refused " + s);
        }
        return s;
      }
    };
    List<String> dead = new ArrayList<>();
    ChannelConfig config = CONFIG.toBuilder().deadLetters(f -> dead.add(f.tag())).build();
    Pipe pipe = Pipe.open();
    AckingSource source = new AckingSource(ByteStreams.source(pipe.source(), config, null), true);
    try (Receiver<String> rx = Receiver.over(source, picky, config);
        Sender<String> tx = Sender.over(pipe.sink(), picky, config)) {
      tx.send("!x", id("x"));
      tx.send("y", id("y"));
      assertEquals("y", rx.receive(WAIT));
      assertEquals(List.of("delivered y"), source.events);
      assertEquals(1, dead.size());
    }
  }

  @Test
  void theReceiverHandsItsCodecCheckToTheSource() throws Exception {
    Pipe pipe = Pipe.open();
    // a transport that made its source accepting every codec, as a FIFO pair does
    FrameSource source = ByteStreams.source(pipe.source(), CONFIG, null);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), CONFIG);
        Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), CONFIG)) {
      tx.send(new byte[] {1});
      IncompatibleStreamException e = assertThrows(IncompatibleStreamException.class, () -> rx.receive(WAIT));
      assertEquals(IncompatibleStreamException.Reason.CODEC, e.reason());
      assertEquals("bytes", e.writerValue());
      assertEquals("string", e.readerValue());
      assertEquals(0, e.position());
      assertThrows(IncompatibleStreamException.class, () -> rx.receive(WAIT), "a stream failure: sticky");
      assertEquals(1, rx.stats().streamFailures());
      assertEquals(0, rx.stats().sessionsStarted());
      assertFalse(rx.isOpen());
    }
  }

  @Test
  void aSourceThatDoesNotEnforceTheCheckHasTheReceiverCheckEachStart() throws Exception {
    Pipe pipe = Pipe.open();
    AckingSource source = new AckingSource(ByteStreams.source(pipe.source(), CONFIG, null), false);
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), CONFIG);
        Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), CONFIG)) {
      tx.send(new byte[] {1}, id("1"));
      IncompatibleStreamException e = assertThrows(IncompatibleStreamException.class, () -> rx.receive(WAIT));
      assertEquals(IncompatibleStreamException.Reason.CODEC, e.reason());
      assertEquals("bytes", e.writerValue());
      assertEquals("string", e.readerValue());
      assertThrows(IncompatibleStreamException.class, () -> rx.receive(WAIT), "sticky");
      assertTrue(source.events.isEmpty(), "no frame of the refused session was delivered");
    }
    // the codec's own accepts() decides, not name equality
    Pipe second = Pipe.open();
    Codec<String> lenient = new Codec<>() {
      @Override
      public String name() {
        return "text";
      }

      @Override
      public boolean accepts(String writerCodec) {
        return writerCodec.equals("string") || writerCodec.equals("text");
      }

      @Override
      public void encode(String value, PayloadSink sink) throws IOException {
        Codecs.string().encode(value, sink);
      }

      @Override
      public String decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.string().decode(tag, payload);
      }
    };
    AckingSource plain = new AckingSource(ByteStreams.source(second.source(), CONFIG, null), false);
    try (Receiver<String> rx = Receiver.over(plain, lenient, CONFIG);
        Sender<String> tx = Sender.over(second.sink(), Codecs.string(), CONFIG)) {
      tx.send("hello", id("h"));
      assertEquals("hello", rx.receive(WAIT));
    }
  }

  @Test
  void anUndecodableHeaderValueReachesTheDeadLetterHandlerWithItsFault() throws Exception {
    // a message transport's source (NATS: a bad b64: value) throws the fault; the receiver goes on
    byte[] payload = {'o', 'k'};
    FrameSource nats = new FrameSource() {
      private int calls;

      @Override
      public InboundRecord next(Deadline deadline) throws IOException {
        if (calls++ == 0) {
          throw new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS,
              MalformedFrameException.HeaderFault.VALUE_ENCODING, "order", payload, 41);
        }
        return null;
      }

      @Override
      public int openSessions() {
        return 1;
      }

      @Override
      public String description() {
        return "one malformed message";
      }

      @Override
      public void close() {}
    };
    List<DecodeException> dead = new ArrayList<>();
    try (Receiver<String> rx = Receiver.over(nats, Codecs.string(), CONFIG.toBuilder().deadLetters(dead::add).build())) {
      assertThrows(ReceiveTimeoutException.class, () -> rx.receive(Duration.ofMillis(20)));
      MalformedFrameException m = (MalformedFrameException) dead.get(0);
      assertEquals(MalformedFrameException.HeaderFault.VALUE_ENCODING, m.headerFault());
      assertEquals(41, m.position());
      assertEquals(1, rx.stats().malformedFrames());
      assertEquals(0, rx.stats().bytesRead(), "a transport that reports no position: the bytes are unknown");
    }
  }

  @Test
  void bytesReadIsEveryRecordsWireBytesAndEqualsWhatTheSenderWrote() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig config = CONFIG.toBuilder().heartbeatInterval(Duration.ofMillis(10)).deadLetters(f -> { }).build();
    try (Receiver<byte[]> rx = Receiver.over(pipe.source(), Codecs.bytes(), config)) {
      Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), config);
      tx.send(new byte[100]);
      tx.send(new byte[0], Headers.of("k", "v"));
      Thread.sleep(100); // idle: heartbeats
      tx.send(new byte[5000]);
      assertEquals(100, rx.receive(WAIT).length);
      long afterOne = rx.stats().bytesRead();
      assertTrue(afterOne > 100 && afterOne < 200, "the preamble and one frame: " + afterOne);
      tx.close();
      int n = 1;
      while (rx.receive(WAIT) != null) {
        n++;
      }
      assertEquals(3, n);
      assertTrue(tx.stats().heartbeatsSent() > 0 && rx.stats().heartbeatsReceived() == tx.stats().heartbeatsSent(),
          tx.stats() + " / " + rx.stats());
      assertEquals(tx.stats().bytesWritten(), rx.stats().bytesRead(), "every byte written, framing included");
    }
  }

  @Test
  void bytesReadCountsFramesThatWereNotDelivered() throws Exception {
    Wire wire = Wire.stream().preamble(2, "string")
        .message("one")
        .frame(Wire.HEADERS, new byte[0], new byte[0], Wire.utf8("malformed: HEADERS flag, empty block"))
        .frame(0, new byte[0], null, new byte[] {(byte) 0xC3, 0x28}) // not UTF-8: undecodable
        .heartbeat()
        .frame(0, new byte[] {(byte) 0xFF}, null, Wire.utf8("bad tag"))
        .message("two")
        .end();
    Pipe pipe = Pipe.open();
    List<String> dead = new ArrayList<>();
    ChannelConfig config = CONFIG.toBuilder().deadLetters(f -> dead.add(f.getClass().getSimpleName())).build();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), config)) {
      Thread writer = new Thread(() -> {
        try (Pipe.SinkChannel sink = pipe.sink()) {
          ByteBuffer b = ByteBuffer.wrap(wire.bytes());
          while (b.hasRemaining()) {
            sink.write(b);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      writer.start();
      List<String> got = new ArrayList<>();
      for (String s; (s = rx.receive(WAIT)) != null; ) {
        got.add(s);
      }
      writer.join();
      assertEquals(List.of("one", "two"), got);
      assertEquals(List.of("MalformedFrameException", "DecodeException", "MalformedFrameException"), dead);
      assertEquals(wire.length(), rx.stats().bytesRead(), "malformed and undecodable frames' bytes are read bytes too");
    }
  }

  @Test
  void bytesReadLeavesOutARecordThatFailedTheStream() throws Exception {
    Wire whole = Wire.stream().preamble(2, "string").message("one");
    byte[] cut = Wire.stream().raw(whole.bytes()).message("a frame cut short").bytes();
    Pipe pipe = Pipe.open();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG)) {
      try (Pipe.SinkChannel sink = pipe.sink()) {
        sink.write(ByteBuffer.wrap(cut, 0, cut.length - 3));
      }
      assertEquals("one", rx.receive(WAIT));
      assertThrows(TruncatedStreamException.class, () -> rx.receive(WAIT));
      assertEquals(whole.length(), rx.stats().bytesRead());
      assertTrue(rx.stats().toString().contains("bytes=" + whole.length()), rx.stats().toString());
    }
  }
}
