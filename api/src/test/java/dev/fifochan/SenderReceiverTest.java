package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sender and Receiver over an in-process pipe (blocking channels) and in-memory channels. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SenderReceiverTest {
  private static final ChannelConfig CONFIG = ChannelConfig.defaults();

  @Test
  void messagesArriveInOrderAndTheStreamEndsCleanly() throws Exception {
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
      try (Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG)) {
        for (int i = 0; i < 20_000; i++) {
          tx.send("message-" + i);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG)) {
      List<String> got = rx.stream().collect(Collectors.toList());
      assertEquals(20_000, got.size());
      for (int i = 0; i < got.size(); i++) {
        assertEquals("message-" + i, got.get(i));
      }
      assertTrue(rx.isEnded());
      assertNull(rx.receive(), "receive after a clean end keeps returning null");
      assertEquals(20_000, rx.messagesReceived());
    }
    sent.get(10, TimeUnit.SECONDS);
  }

  @Test
  void doneCompletesOnlyAfterCloseWithEveryMessageWritten() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), CONFIG);
    for (int i = 0; i < 1000; i++) {
      tx.send(new byte[100]);
    }
    assertFalse(tx.done().isDone(), "done before close");
    tx.close();
    assertTrue(tx.done().isDone());
    tx.done().get();
    assertEquals(1000, tx.messagesWritten());
    assertFalse(sink.isOpen(), "close closes the transport");
    byte[] bytes = sink.toByteArray();
    byte[] eos = {0, 0, 0, 0, 1, 0};
    byte[] last = new byte[6];
    System.arraycopy(bytes, bytes.length - 6, last, 0, 6);
    assertArrayEquals(eos, last, "the stream ends with an end-of-stream frame");
  }

  @Test
  void messagesWrittenCountsOnlyMessagesWhoseLastByteWasWritten() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(7); // the channel takes 7 bytes per write
    ChannelConfig config = CONFIG.toBuilder().flushDelay(Duration.ofDays(1)).build();
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), config)) {
      for (int i = 0; i < 100; i++) {
        tx.send(new byte[i % 13]);
      }
      assertEquals(0, tx.messagesWritten(), "all still buffered");
      tx.flush();
      assertEquals(100, tx.messagesWritten());
      tx.send(new byte[300_000]); // larger than the buffer: written from the spill array
      assertEquals(101, tx.messagesWritten());
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 5), Codecs.bytes(), CONFIG)) {
      assertEquals(101, rx.stream().count());
    }
  }

  @Test
  void largeMessagesAreWrittenInWholeFrames() throws Exception {
    int frame = 6 + 65_536;
    List<Integer> sizes = new ArrayList<>();
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE) {
      @Override
      public int write(ByteBuffer src) {
        sizes.add(src.remaining());
        return super.write(src);
      }
    };
    ChannelConfig config = CONFIG.toBuilder().flushDelay(Duration.ofDays(1)).build();
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), config)) {
      for (int i = 0; i < 20; i++) {
        tx.send(new byte[65_536]);
      }
      tx.flush();
      assertEquals(20, tx.messagesWritten());
    }
    assertEquals(11, sizes.get(0), "the preamble, at once");
    assertEquals(6, sizes.get(sizes.size() - 1), "the end-of-stream frame");
    for (int w : sizes.subList(1, sizes.size() - 1)) {
      assertEquals(0, w % frame, "a write of " + w + " bytes: the buffer was drained before a frame that would not fit");
    }
    assertEquals(11 + 20 * frame + 6, sink.toByteArray().length);
  }

  @Test
  void flushDelayWritesABufferedMessageWithoutAnExplicitFlush() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig lingering = CONFIG.toBuilder().flushDelay(Duration.ofMillis(2)).build();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG);
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), lingering)) {
      tx.send("lonely");
      assertEquals("lonely", rx.receive(), "the idle flusher wrote the message");
    }
  }

  @Test
  void zeroFlushDelayWritesEachSendAtOnce() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<String> tx = Sender.over(sink, Codecs.string(), CONFIG.toBuilder().flushDelay(Duration.ZERO).build())) {
      int before = sink.toByteArray().length;
      tx.send("now");
      assertEquals(before + 6 + 3, sink.toByteArray().length);
      assertEquals(1, tx.messagesWritten());
    }
  }

  @Test
  void payloadsLargerThanTheBuffersRoundTripWithChecksums() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig small = CONFIG.toBuilder().bufferSize(4096).checksum(true).build();
    List<byte[]> sentPayloads = new ArrayList<>();
    java.util.Random random = new java.util.Random(42);
    for (int size : new int[] {0, 1, 4089, 4090, 4096, 5000, 70_000, 1 << 20, 3}) {
      byte[] p = new byte[size];
      random.nextBytes(p);
      sentPayloads.add(p);
    }
    CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
      try (Sender<byte[]> tx = Sender.over(pipe.sink(), Codecs.bytes(), small)) {
        for (byte[] p : sentPayloads) {
          tx.send(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try (Receiver<byte[]> rx = Receiver.over(pipe.source(), Codecs.bytes(), small)) {
      for (byte[] p : sentPayloads) {
        assertArrayEquals(p, rx.receive());
      }
      assertNull(rx.receive());
    }
    sent.get(10, TimeUnit.SECONDS);
  }

  @Test
  void undecodableFrameIsReportedAndTheNextFrameStillArrives() throws Exception {
    byte[] stream = stream(tx -> {
      tx.send("fine".getBytes(StandardCharsets.UTF_8));
      tx.send(new byte[] {(byte) 0xC3, (byte) 0x28}); // malformed UTF-8
      tx.send("after".getBytes(StandardCharsets.UTF_8));
    }, "string");
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(stream, 5), Codecs.string(), CONFIG)) {
      assertEquals("fine", rx.receive());
      DecodeException e = assertThrows(DecodeException.class, rx::receive);
      assertTrue(e.isRecoverable());
      assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0x28}, e.payload());
      assertEquals("", e.tag());
      assertTrue(e.offset() > 0, "offset of the bad frame: " + e.offset());
      assertEquals("after", rx.receive());
      assertNull(rx.receive());
    }
  }

  @Test
  void deadLetterHandlerReceivesUnknownTypesWhileTheStreamGoesOn() throws Exception {
    CodecRegistry registry = CodecRegistry.builder("events")
        .register("text", String.class, Codecs.string())
        .register("blob", byte[].class, Codecs.bytes())
        .build();
    CodecRegistry writerRegistry = CodecRegistry.builder("events")
        .register("text", String.class, Codecs.string())
        .register("number", Integer.class, new IntCodec())
        .build();
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<Object> tx = Sender.over(sink, writerRegistry, CONFIG)) {
      tx.send("one");
      tx.send(42);
      tx.send("two");
    }
    List<DecodeException> dead = new ArrayList<>();
    try (Receiver<Object> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 1000), registry, CONFIG, dead::add)) {
      assertEquals(List.of("one", "two"), rx.stream().collect(Collectors.toList()));
    }
    assertEquals(1, dead.size());
    assertInstanceOf(UnknownTypeException.class, dead.get(0));
    assertEquals("number", dead.get(0).tag());
    assertArrayEquals(new byte[] {0, 0, 0, 42}, dead.get(0).payload());
  }

  @Test
  void encodeFailureSendsNothingAndTheSenderStaysUsable() throws Exception {
    Codec<String> failing = new Codec<>() {
      @Override
      public String name() {
        return "string";
      }

      @Override
      public void encode(String value, OutputStream out) throws IOException {
        out.write("partial".getBytes(StandardCharsets.UTF_8));
        if (value.equals("bad")) {
          throw new IllegalStateException("cannot encode " + value);
        }
        out.write(value.getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public String decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.string().decode(tag, payload);
      }
    };
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<String> tx = Sender.over(sink, failing, CONFIG)) {
      tx.send("a");
      EncodeException e = assertThrows(EncodeException.class, () -> tx.send("bad"));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      tx.send("b");
    }
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 64), Codecs.string(), CONFIG)) {
      assertEquals(List.of("partiala", "partialb"), rx.stream().collect(Collectors.toList()));
    }
  }

  @Test
  void tooLongMessageIsRefusedBeforeAnythingIsWritten() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    ChannelConfig limited = CONFIG.toBuilder().maxFrameLength(1000).build();
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), limited)) {
      tx.send(new byte[1000]);
      FrameTooLongException e = assertThrows(FrameTooLongException.class, () -> tx.send(new byte[1001]));
      assertEquals(1000, e.maximum());
      tx.send(new byte[] {7});
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 333), Codecs.bytes(), limited)) {
      assertEquals(1000, rx.receive().length);
      assertArrayEquals(new byte[] {7}, rx.receive());
      assertNull(rx.receive());
    }
  }

  @Test
  void fanInModeWritesOnlyWholeRecordsOfAtMostPipeBufBytes() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE) {
      final List<Integer> sizes = new ArrayList<>();

      @Override
      public int write(ByteBuffer src) {
        sizes.add(src.remaining());
        assertTrue(src.remaining() <= WireFormat.PIPE_BUF, "write of " + src.remaining() + " bytes");
        return super.write(src);
      }
    };
    ChannelConfig fanIn = CONFIG.toBuilder().fanIn(true).build();
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), fanIn)) {
      for (int i = 0; i < 500; i++) {
        tx.send(new byte[i * 7 % 4000]);
      }
      assertThrows(FrameTooLongException.class, () -> tx.send(new byte[WireFormat.PIPE_BUF]));
    }
    // Every write starts at a record boundary: the reader accepts each write on its own.
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 1 << 20), Codecs.bytes(), CONFIG)) {
      for (int i = 0; i < 500; i++) {
        assertEquals(i * 7 % 4000, rx.receive().length);
      }
      assertNull(rx.receive());
    }
  }

  @Test
  void concurrentSendersNeverInterleaveFrames() throws Exception {
    Pipe pipe = Pipe.open();
    int threads = 4;
    int each = 5000;
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      writers.add(CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < each; i++) {
            tx.send(id + ":" + i + ":" + "x".repeat(i % 300));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(new CompletableFuture[0]))
        .thenRun(() -> {
          try {
            tx.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    int[] next = new int[threads];
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG)) {
      for (String m : rx) {
        String[] parts = m.split(":", 3);
        int id = Integer.parseInt(parts[0]);
        int seq = Integer.parseInt(parts[1]);
        assertEquals(next[id]++, seq, "per-thread order");
        assertEquals("x".repeat(seq % 300), parts[2]);
      }
    }
    all.get(10, TimeUnit.SECONDS);
    for (int n : next) {
      assertEquals(each, n);
    }
  }

  @Test
  void writerThatVanishesWithoutEndOfStreamGivesTruncatedStream() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Sender<String> tx = Sender.over(sink, Codecs.string(), CONFIG);
    tx.send("complete");
    tx.flush(); // then the process "dies": no close, no end-of-stream frame
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 2), Codecs.string(), CONFIG)) {
      assertEquals("complete", rx.receive());
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, rx::receive);
      assertEquals(sink.toByteArray().length, e.offset());
      assertThrows(TruncatedStreamException.class, rx::receive, "the failure sticks");
    }
  }

  @Test
  void iteratorReportsAnUncleanEndAsUncheckedIoException() throws Exception {
    byte[] stream = stream(tx -> tx.send("x".getBytes(StandardCharsets.UTF_8)), "string");
    byte[] cut = java.util.Arrays.copyOf(stream, stream.length - 3);
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(cut, 100), Codecs.string(), CONFIG)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> rx.stream().count());
      assertInstanceOf(TruncatedStreamException.class, e.getCause());
    }
  }

  @Test
  void readerRefusesAStreamOfAnotherCodec() throws Exception {
    byte[] stream = stream(tx -> tx.send(new byte[] {1}), "protobuf");
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(stream, 100), Codecs.string(), CONFIG)) {
      IncompatibleStreamException e = assertThrows(IncompatibleStreamException.class, rx::receive);
      assertTrue(e.getMessage().contains("protobuf"), e.getMessage());
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(stream, 100), Codecs.bytes(), CONFIG)) {
      assertArrayEquals(new byte[] {1}, rx.receive(), "the bytes codec reads any stream");
    }
  }

  @Test
  void pollTimesOutWithNothingConsumedAndCloseWakesABlockedReceive() throws Exception {
    Pipe pipe = Pipe.open();
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG.toBuilder().flushDelay(Duration.ZERO).build());
    Receiver<String> rx = Receiver.over(new WaitablePipeSource(pipe.source()), Codecs.string(), CONFIG);
    tx.send("first");
    assertEquals("first", rx.poll(Duration.ofSeconds(5)));
    assertNull(rx.poll(Duration.ofMillis(20)), "nothing to receive");
    assertFalse(rx.isEnded());
    tx.send("second");
    assertEquals("second", rx.poll(Duration.ofSeconds(5)), "a timed-out poll lost nothing");
    CompletableFuture<String> blocked = CompletableFuture.supplyAsync(() -> {
      try {
        return rx.receive();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Thread.sleep(50);
    rx.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(5, TimeUnit.SECONDS));
    assertInstanceOf(UncheckedIOException.class, e.getCause(), () -> "unexpected " + e.getCause());
    assertInstanceOf(ClosedChannelException.class, e.getCause().getCause());
    assertThrows(IOException.class, tx::close, "closing after the reader left reports the failed end of stream");
    assertTrue(tx.done().isCompletedExceptionally());
  }

  @Test
  void followingReceiverReadsOneWriterAfterAnotherAndSurvivesACrash() throws Exception {
    byte[] first = stream(tx -> tx.send("a".getBytes(StandardCharsets.UTF_8)), "string");
    byte[] crashed = java.util.Arrays.copyOf(stream(tx -> {
      tx.send("b".getBytes(StandardCharsets.UTF_8));
      tx.send("lost".getBytes(StandardCharsets.UTF_8));
    }, "string"), 12 + 7 + 3);
    byte[] third = stream(tx -> tx.send("c".getBytes(StandardCharsets.UTF_8)), "string");
    List<byte[]> sessions = new ArrayList<>(List.of(first, crashed, third));
    SourceOpener opener = new SourceOpener() {
      @Override
      public java.nio.channels.ReadableByteChannel open(long timeoutNanos) throws IOException {
        if (sessions.isEmpty()) {
          throw new ClosedChannelException();
        }
        return TestChannels.chunked(sessions.remove(0), 4);
      }

      @Override
      public void close() {
        sessions.clear();
      }
    };
    try (Receiver<String> rx = Receiver.following(opener, Codecs.string(), CONFIG)) {
      assertEquals("a", rx.receive());
      assertEquals("b", rx.receive());
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, rx::receive);
      assertEquals(12 + 7, e.offset(), "offset within the crashed writer's stream");
      assertEquals("c", rx.receive(), "the next writer is read after the crash");
      assertThrows(ClosedChannelException.class, rx::receive, "no more writers: the opener gives up");
    }
  }

  @Test
  void timedSendGivesUpWhenTheReaderDoesNotReadAndNothingOfTheMessageIsWritten() throws Exception {
    StalledSink sink = new StalledSink();
    ChannelConfig small = CONFIG.toBuilder().bufferSize(4096).build();
    Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), small);
    tx.send(new byte[3000]);
    tx.send(new byte[3000]); // makes room by writing the first: the pipe now holds 11 + 3006 bytes
    assertEquals(11 + 3006, sink.accepted);
    SendTimeoutException e = assertThrows(SendTimeoutException.class, () -> tx.send(new byte[3000], Duration.ofMillis(30)));
    assertTrue(e.getMessage().contains("not sent"));
    assertEquals(4096, sink.accepted, "the pipe filled up with the second message's first bytes");
    assertEquals(1, tx.messagesWritten(), "only the first message is completely in the pipe");
    sink.open = false;
  }

  private interface SenderBody {
    void run(Sender<byte[]> tx) throws IOException;
  }

  /** A complete stream written by a bytes sender that announces {@code codecName}. */
  private static byte[] stream(SenderBody body, String codecName) throws IOException {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Codec<byte[]> named = new Codec<>() {
      @Override
      public String name() {
        return codecName;
      }

      @Override
      public void encode(byte[] value, OutputStream out) throws IOException {
        out.write(value);
      }

      @Override
      public byte[] decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.bytes().decode(tag, payload);
      }
    };
    try (Sender<byte[]> tx = Sender.over(sink, named, CONFIG)) {
      body.run(tx);
    }
    return sink.toByteArray();
  }

  private static final class IntCodec implements Codec<Integer> {
    @Override
    public String name() {
      return "int";
    }

    @Override
    public void encode(Integer value, OutputStream out) throws IOException {
      out.write(ByteBuffer.allocate(4).putInt(value).array());
    }

    @Override
    public Integer decode(String tag, ByteBuffer payload) {
      return payload.getInt();
    }
  }

  /** A sink whose pipe holds 4 KiB and is never read: writes return 0 once it is full. */
  private static final class StalledSink implements java.nio.channels.WritableByteChannel, WaitableChannel {
    int accepted;
    boolean open = true;

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(src.remaining(), 4096 - accepted);
      src.position(src.position() + n);
      accepted += n;
      return n;
    }

    @Override
    public boolean awaitReady(long timeoutNanos) throws IOException {
      try {
        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      return false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  /** A pipe source in non-blocking mode with a selector-based wait, as a transport would provide. */
  private static final class WaitablePipeSource implements java.nio.channels.ReadableByteChannel, WaitableChannel {
    private final Pipe.SourceChannel source;
    private final java.nio.channels.Selector selector;

    WaitablePipeSource(Pipe.SourceChannel source) throws IOException {
      this.source = source;
      source.configureBlocking(false);
      this.selector = java.nio.channels.Selector.open();
      source.register(selector, java.nio.channels.SelectionKey.OP_READ);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return source.read(dst);
    }

    @Override
    public boolean awaitReady(long timeoutNanos) throws IOException {
      if (!source.isOpen()) {
        throw new AsynchronousCloseException();
      }
      long ms = timeoutNanos < 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
      int n;
      try {
        n = selector.select(ms);
        selector.selectedKeys().clear();
      } catch (java.nio.channels.ClosedSelectorException e) {
        throw new AsynchronousCloseException();
      }
      if (!source.isOpen()) {
        throw new AsynchronousCloseException();
      }
      return n > 0;
    }

    @Override
    public boolean isOpen() {
      return source.isOpen();
    }

    @Override
    public void close() throws IOException {
      source.close();
      selector.wakeup();
      selector.close();
    }
  }
}
