package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import java.io.IOException;
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

/** Sender and Receiver over real OS pipes ({@link Pipe}) and in-memory channels. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
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
      assertFalse(rx.isOpen());
      assertNull(rx.receive(), "receive after a clean end keeps returning null");
      assertEquals(20_000, rx.stats().messagesReceived());
      assertEquals(1, rx.stats().sessionsStarted());
      assertEquals(1, rx.stats().sessionsEnded());
    }
    sent.get(30, TimeUnit.SECONDS);
  }

  @Test
  void doneCompletesOnlyAfterCloseWithEveryMessageWritten() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), CONFIG);
    for (int i = 0; i < 1000; i++) {
      tx.send(new byte[100]);
    }
    assertFalse(tx.done().toCompletableFuture().isDone(), "done before close");
    tx.close();
    assertTrue(tx.done().toCompletableFuture().isDone());
    tx.done().toCompletableFuture().get();
    assertEquals(1000, tx.stats().messagesWritten());
    assertEquals(1000, tx.stats().messagesAccepted());
    assertEquals(1, tx.stats().sessionsEnded());
    assertFalse(sink.isOpen(), "close closes the transport");
    byte[] bytes = sink.toByteArray();
    byte[] last = new byte[6];
    System.arraycopy(bytes, bytes.length - 6, last, 0, 6);
    assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 0}, last, "the stream ends with an end-of-stream frame");
    assertEquals(2, bytes[4], "a 1.1 writer announces version 2");
    assertEquals(bytes.length, tx.stats().bytesWritten());
  }

  @Test
  void messagesWrittenCountsOnlyMessagesWhoseLastByteWasWritten() throws Exception {
    MemoryPipe pipe = new MemoryPipe(Integer.MAX_VALUE, 7); // takes 7 bytes per write
    ChannelConfig config = CONFIG.toBuilder().flushDelay(Duration.ofDays(1)).build();
    try (Sender<byte[]> tx = Sender.over(pipe, Codecs.bytes(), config)) {
      for (int i = 0; i < 100; i++) {
        tx.send(new byte[i % 13]);
      }
      assertEquals(0, tx.stats().messagesWritten(), "all still buffered");
      assertEquals(100, tx.stats().messagesPending());
      tx.flush();
      assertEquals(100, tx.stats().messagesWritten());
      assertEquals(0, tx.stats().messagesPending());
      tx.send(new byte[300_000]); // larger than the buffer: written from its own array
      assertEquals(101, tx.stats().messagesWritten());
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(pipe.bytes(), 5), Codecs.bytes(), CONFIG)) {
      assertEquals(101, rx.stream().count());
    }
  }

  @Test
  void largeMessagesAreWrittenInWholeFrames() throws Exception {
    int frame = 6 + 65_536;
    MemoryPipe pipe = MemoryPipe.unbounded();
    ChannelConfig config = CONFIG.toBuilder().flushDelay(Duration.ofDays(1)).build();
    try (Sender<byte[]> tx = Sender.over(pipe, Codecs.bytes(), config)) {
      for (int i = 0; i < 20; i++) {
        tx.send(new byte[65_536]);
      }
      tx.flush();
      assertEquals(20, tx.stats().messagesWritten());
    }
    List<Integer> sizes = pipe.writes();
    assertEquals(11, sizes.get(0), "the preamble, at once");
    assertEquals(6, sizes.get(sizes.size() - 1), "the end-of-stream frame");
    for (int w : sizes.subList(1, sizes.size() - 1)) {
      assertEquals(0, w % frame, "a write of " + w + " bytes: the buffer was drained before a frame that would not fit");
    }
    assertEquals(11 + 20 * frame + 6, pipe.bytes().length);
  }

  @Test
  void flushDelayWritesABufferedMessageWithoutAnExplicitFlush() throws Exception {
    Pipe pipe = Pipe.open();
    ChannelConfig lingering = CONFIG.toBuilder().flushDelay(Duration.ofMillis(2)).build();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG);
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), lingering)) {
      tx.send("lonely");
      assertEquals("lonely", rx.receive(Duration.ofSeconds(10)), "the idle flush wrote the message");
      // the flusher counts its flush after its write returns, so the reader may see the bytes first
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tx.stats().flushes() < 1 && System.nanoTime() < until) {
        Thread.sleep(1);
      }
      assertTrue(tx.stats().flushes() >= 1, "the idle flush was counted");
    }
  }

  /**
   * A sender that never stops for a whole flush delay (20 ms here) still gets its bytes to the reader
   * long before its buffer fills: the idle flush asks it for an early write once it has been busy for
   * 20 flush delays, 400 ms (finding 1 of docs/benchmarks.md). Paced at one 100-byte message per
   * millisecond or more, half the default 256 KiB buffer takes over a second to fill; the first message
   * must arrive while fewer than that were accepted.
   */
  @Test
  void aBusySenderWritesEarlyWithoutWaitingForAFullBuffer() throws Exception {
    Pipe pipe = Pipe.open();
    String message = "x".repeat(100);
    int halfABuffer = CONFIG.bufferSize() / 2 / (message.length() + 6);
    ChannelConfig slowFlush = CONFIG.toBuilder().flushDelay(Duration.ofMillis(20)).build(); // sends come faster than that
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG);
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), slowFlush)) {
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          while (!stop.get() && tx.stats().messagesAccepted() < 4L * halfABuffer) {
            tx.send(message);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try {
        assertEquals(message, rx.receive(Duration.ofSeconds(30)));
        long accepted = tx.stats().messagesAccepted();
        assertTrue(accepted < halfABuffer, "first message read after " + accepted + " were accepted (half a buffer: " + halfABuffer + ")");
      } finally {
        stop.set(true);
        sending.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void zeroFlushDelayWritesEachSendAtOnce() throws Exception {
    MemoryPipe pipe = MemoryPipe.unbounded();
    try (Sender<String> tx = Sender.over(pipe, Codecs.string(), CONFIG.toBuilder().flushDelay(Duration.ZERO).build())) {
      int before = pipe.bytes().length;
      tx.send("now");
      assertEquals(before + 6 + 3, pipe.bytes().length);
      assertEquals(1, tx.stats().messagesWritten());
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
    sent.get(30, TimeUnit.SECONDS);
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
      assertArrayEquals(new byte[] {(byte) 0xC3, (byte) 0x28}, e.payload());
      assertEquals("", e.tag());
      assertEquals(12 + 10, e.position(), "position of the bad frame");
      assertInstanceOf(java.nio.charset.CharacterCodingException.class, e.getCause());
      assertTrue(e.getMessage().contains("position 22"), e.getMessage());
      assertEquals("after", rx.receive());
      assertNull(rx.receive());
      assertEquals(1, rx.stats().undecodable());
      assertEquals(3, rx.stats().framesReceived());
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
    ChannelConfig config = CONFIG.toBuilder().deadLetters(dead::add).build();
    try (Receiver<Object> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 1000), registry, config)) {
      assertEquals(List.of("one", "two"), rx.stream().collect(Collectors.toList()));
      assertEquals(1, rx.stats().deadLettered());
      assertEquals(1, rx.stats().unknownTypes());
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
      public void encode(String value, PayloadSink sink) throws IOException {
        sink.write("partial".getBytes(StandardCharsets.UTF_8));
        if (value.equals("bad")) {
          throw new IllegalStateException("cannot encode " + value);
        }
        sink.write(value.getBytes(StandardCharsets.UTF_8));
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
      assertEquals("string", e.codecName());
      assertEquals("java.lang.String", e.valueType());
      assertEquals(-1, e.position());
      tx.send("b");
      assertEquals(1, tx.stats().encodeFailures());
    }
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 64), Codecs.string(), CONFIG)) {
      assertEquals(List.of("partiala", "partialb"), rx.stream().collect(Collectors.toList()));
    }
  }

  @Test
  void tooLongMessageIsRefusedBeforeAnythingIsWritten() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    ChannelConfig limited = CONFIG.toBuilder().maxFrameLength(1000).build();
    try (Sender<byte[]> tx = Sender.over(sink, Codecs.bytes(), limited);
        Sender<String> text = Sender.over(new TestChannels.Sink(Integer.MAX_VALUE), Codecs.string(), limited)) {
      tx.send(new byte[1000]);
      MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[1001]));
      assertEquals(1000, e.limit());
      assertEquals(1001, e.length());
      assertEquals(MessageTooLongException.Limit.FRAME, e.which());
      tx.send(new byte[] {7});
      assertEquals(1, tx.stats().tooLongRefusals());
      text.send("x".repeat(1000));
      assertThrows(MessageTooLongException.class, () -> text.send("é".repeat(501)), "1002 UTF-8 bytes");
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 333), Codecs.bytes(), limited)) {
      assertEquals(1000, rx.receive().length);
      assertArrayEquals(new byte[] {7}, rx.receive());
      assertNull(rx.receive());
    }
  }

  @Test
  void fanInSinkWritesOnlyWholeRecordsOfAtMostTheAtomicLimit() throws Exception {
    MemoryPipe pipe = MemoryPipe.unbounded();
    try (Sender<byte[]> tx = Sender.over(ByteStreams.sink(pipe, CONFIG, 4096), Codecs.bytes(), CONFIG)) {
      for (int i = 0; i < 500; i++) {
        tx.send(new byte[i * 7 % 4000]);
      }
      MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> tx.send(new byte[4096]));
      assertEquals(MessageTooLongException.Limit.ATOMIC_WRITE, e.which());
      assertEquals(4096 + 6, e.length());
      assertEquals(4096, e.limit());
      tx.send(new byte[4090]); // the largest that fits: 6 + 4090
    }
    for (int w : pipe.writes()) {
      assertTrue(w <= 4096, "a write of " + w + " bytes");
    }
    // Every write starts at a record boundary: each one alone decodes to whole records.
    byte[] all = pipe.bytes();
    int at = 0;
    for (int w : pipe.writes()) {
      byte[] one = java.util.Arrays.copyOfRange(all, at, at + w);
      at += w;
      if (at == w) {
        continue; // the preamble
      }
      byte[] framed = Wire.stream().preamble(2, "bytes").raw(one).bytes();
      try (var in = ByteStreams.inspector(TestChannels.chunked(framed, 1 << 20), 1 << 20)) {
        while (in.next() != null) {
          // read every record
        }
        String outcome = in.outcome().errorName();
        assertTrue(outcome == null || outcome.equals("truncated") && in.outcome().position() == framed.length,
            "write at " + (at - w) + " holds whole records only: " + in.outcome());
      }
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(all, 1 << 20), Codecs.bytes(), CONFIG)) {
      for (int i = 0; i < 500; i++) {
        assertEquals(i * 7 % 4000, rx.receive().length);
      }
      assertEquals(4090, rx.receive().length);
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
    all.get(30, TimeUnit.SECONDS);
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
      assertEquals(sink.toByteArray().length, e.position());
      assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason());
      assertThrows(TruncatedStreamException.class, rx::receive, "the failure sticks");
      assertEquals(1, rx.stats().sessionsTruncated());
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
      assertEquals(IncompatibleStreamException.Reason.CODEC, e.reason());
      assertEquals("protobuf", e.writerValue());
      assertEquals("string", e.readerValue());
    }
    try (Receiver<byte[]> rx = Receiver.over(TestChannels.chunked(stream, 100), Codecs.bytes(), CONFIG)) {
      assertArrayEquals(new byte[] {1}, rx.receive(), "the bytes codec reads any stream");
    }
  }

  @Test
  void timedReceiveThrowsWithNothingConsumedAndCloseWakesABlockedReceive() throws Exception {
    Pipe pipe = Pipe.open();
    Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), CONFIG.toBuilder().flushDelay(Duration.ZERO).build());
    Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), CONFIG);
    tx.send("first");
    assertEquals("first", rx.receive(Duration.ofSeconds(5)));
    ReceiveTimeoutException t = assertThrows(ReceiveTimeoutException.class, () -> rx.receive(Duration.ofMillis(20)));
    assertEquals(Duration.ofMillis(20), t.timeout());
    assertEquals(0, t.bytesTransferred);
    assertFalse(rx.isEnded());
    tx.send("second");
    assertEquals("second", rx.receive(Duration.ofSeconds(5)), "a timed-out receive lost nothing");
    Threads.Task<String> blocked = Threads.start("blocked-receive", rx::receive).awaitInside("awaitReady"); // not a sleep: on a loaded machine the close could come first
    rx.close();
    Throwable e = blocked.failure();
    assertInstanceOf(AsynchronousCloseException.class, e, () -> "unexpected " + e);
    assertThrows(ClosedChannelException.class, rx::receive, "a call after close");
    tx.abort("reader went away");
  }

  @Test
  void headersTravelWithTheirMessage() throws Exception {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<String> tx = Sender.over(sink, Codecs.string(), CONFIG)) {
      tx.send("plain");
      tx.send("with", Headers.of("fc-id", "7", "content-type", "text/plain"));
      tx.send("bytes", Headers.builder().put("bin", new byte[] {0, (byte) 0xFF}).build(), Duration.ofSeconds(1));
    }
    try (Receiver<String> rx = Receiver.over(TestChannels.chunked(sink.toByteArray(), 3), Codecs.string(), CONFIG)) {
      Envelope<String> a = rx.receiveEnvelope();
      assertEquals("plain", a.value());
      assertTrue(a.headers().isEmpty());
      Envelope<String> b = rx.receiveEnvelope(Duration.ofSeconds(1));
      assertEquals("with", b.value());
      assertEquals("7", b.headers().getString("fc-id"));
      assertEquals(List.of("fc-id", "content-type"), new ArrayList<>(b.headers().keys()));
      List<String> seen = new ArrayList<>();
      assertEquals(1, rx.poll((m, h) -> {
        seen.add(m);
        assertArrayEquals(new byte[] {0, (byte) 0xFF}, h.get("bin"));
        assertNull(h.get("fc-id"));
      }, 10, Duration.ofSeconds(1)));
      assertEquals(List.of("bytes"), seen);
      assertEquals(-1, rx.poll((m, h) -> seen.add(m), 10, Duration.ofSeconds(1)), "-1 at the end");
    }
  }

  @Test
  void headersAreRefusedInWireFormatOneZeroAndWhenTooLarge() throws Exception {
    ChannelConfig v10 = CONFIG.toBuilder().wireVersion(WireVersion.V1_0).build();
    try (Sender<String> tx = Sender.over(new TestChannels.Sink(Integer.MAX_VALUE), Codecs.string(), v10)) {
      assertThrows(IllegalStateException.class, () -> tx.send("x", Headers.of("k", "v")));
      tx.send("no headers is fine", Headers.empty());
    }
    try (Sender<String> tx = Sender.over(new TestChannels.Sink(Integer.MAX_VALUE), Codecs.string(), CONFIG)) {
      MessageTooLongException e = assertThrows(MessageTooLongException.class,
          () -> tx.send("x", Headers.builder().put("big", new byte[4097]).build()));
      assertEquals(MessageTooLongException.Limit.HEADERS, e.which());
      Headers.Builder b = Headers.builder();
      for (int i = 0; i < 3; i++) {
        b.put("k" + i, new byte[4000]);
      }
      e = assertThrows(MessageTooLongException.class, () -> tx.send("x", b.build()));
      assertEquals(8192, e.limit());
      tx.send("the sender stays usable");
    }
    assertThrows(IllegalArgumentException.class, () -> Headers.of("Upper", "v"));
    assertThrows(IllegalArgumentException.class, () -> Headers.of("a", "1", "a", "2"));
  }

  @Test
  void aReceiverGoesOnAfterAFailureOfAResumingSource() throws Exception {
    byte[] first = stream(tx -> tx.send("a".getBytes(StandardCharsets.UTF_8)), "string");
    byte[] crashed = java.util.Arrays.copyOf(stream(tx -> {
      tx.send("b".getBytes(StandardCharsets.UTF_8));
      tx.send("lost".getBytes(StandardCharsets.UTF_8));
    }, "string"), 12 + 7 + 3);
    byte[] aborted = abortedStream("c", "boom");
    byte[] last = stream(tx -> tx.send("d".getBytes(StandardCharsets.UTF_8)), "string");
    FollowingSource source = new FollowingSource(List.of(first, crashed, aborted, last));
    try (Receiver<String> rx = Receiver.over(source, Codecs.string(), CONFIG)) {
      assertEquals("a", rx.receive());
      assertEquals("b", rx.receive());
      TruncatedStreamException e = assertThrows(TruncatedStreamException.class, rx::receive);
      assertEquals(12 + 7, e.position(), "position within the crashed writer's session");
      assertEquals("c", rx.receive(), "the next writer is read after the failure");
      StreamAbortedException a = assertThrows(StreamAbortedException.class, rx::receive);
      assertEquals("boom", a.reason());
      assertEquals("d", rx.receive(), "and after an aborted end");
      assertThrows(ReceiveTimeoutException.class, () -> rx.receive(Duration.ofMillis(50)), "no more writers");
      assertEquals(1, rx.stats().sessionsAborted());
      assertEquals(1, rx.stats().sessionsTruncated());
      assertEquals(2, rx.stats().sessionsEnded());
    }
  }

  @Test
  void oneSchedulerThreadServesEverySender() throws Exception {
    List<Sender<String>> senders = new ArrayList<>();
    List<Pipe> pipes = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        Pipe p = Pipe.open();
        pipes.add(p);
        Sender<String> tx = Sender.over(p.sink(), Codecs.string(),
            CONFIG.toBuilder().flushDelay(Duration.ofMillis(1)).heartbeatInterval(Duration.ofMillis(5)).build());
        tx.send("hello " + i);
        senders.add(tx);
      }
      long schedulers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("fifochan-scheduler")).count();
      assertEquals(1, schedulers, "one shared scheduler thread");
      assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
          .filter(n -> n.startsWith("fifochan-") && !n.equals("fifochan-scheduler")).collect(Collectors.toList()),
          "no thread per sender");
      for (int i = 0; i < pipes.size(); i++) {
        try (Receiver<String> rx = Receiver.over(pipes.get(i).source(), Codecs.string(), CONFIG)) {
          assertEquals("hello " + i, rx.receive(Duration.ofSeconds(10)), "flushed by the scheduler");
        }
      }
    } finally {
      for (Sender<String> s : senders) {
        s.abort("test over");
      }
    }
  }

  /** A resuming source over several byte streams in a row, as a following transport is. */
  private static final class FollowingSource implements FrameSource {
    private final List<byte[]> sessions;
    private int next;
    private FrameSource current;

    FollowingSource(List<byte[]> sessions) {
      this.sessions = sessions;
    }

    @Override
    public InboundRecord next(dev.fifochan.Deadline deadline) throws IOException {
      while (true) {
        if (current == null) {
          if (next == sessions.size()) {
            return null;
          }
          current = ByteStreams.source(TestChannels.chunked(sessions.get(next++), 4), CONFIG, null);
        }
        InboundRecord r;
        try {
          r = current.next(deadline);
        } catch (StreamException e) {
          current = null;
          throw e;
        }
        if (r != null && r.kind() == InboundRecord.Kind.END) {
          current = null;
          continue;
        }
        return r;
      }
    }

    @Override
    public int openSessions() {
      return current == null ? 0 : current.openSessions();
    }

    @Override
    public boolean resumesAfterFailure() {
      return true;
    }

    @Override
    public String description() {
      return "sessions";
    }

    @Override
    public void close() {
      next = sessions.size();
    }
  }

  private interface SenderBody {
    void run(Sender<byte[]> tx) throws IOException;
  }

  /** A complete stream written by a bytes sender that announces {@code codecName}. */
  static byte[] stream(SenderBody body, String codecName) throws IOException {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<byte[]> tx = Sender.over(sink, named(codecName), CONFIG)) {
      body.run(tx);
    }
    return sink.toByteArray();
  }

  private static byte[] abortedStream(String message, String reason) throws IOException {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    Sender<byte[]> tx = Sender.over(sink, named("string"), CONFIG);
    tx.send(message.getBytes(StandardCharsets.UTF_8));
    tx.abort(reason);
    return sink.toByteArray();
  }

  static Codec<byte[]> named(String codecName) {
    return new Codec<>() {
      @Override
      public String name() {
        return codecName;
      }

      @Override
      public void encode(byte[] value, PayloadSink sink) throws IOException {
        sink.write(value);
      }

      @Override
      public byte[] decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.bytes().decode(tag, payload);
      }
    };
  }

  private static final class IntCodec implements Codec<Integer> {
    @Override
    public String name() {
      return "int";
    }

    @Override
    public void encode(Integer value, PayloadSink sink) throws IOException {
      sink.room(4).putInt(value);
    }

    @Override
    public Integer decode(String tag, ByteBuffer payload) {
      return payload.getInt();
    }
  }
}
