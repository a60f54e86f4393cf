package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.DecodeException;
import dev.fifochan.EncodeException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DelimitedProtobufTest {

  /** Messages of sizes 0 to about 40 KiB, more than one reader buffer. */
  private static List<Pong> messages(int n) {
    List<Pong> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int size = i % 97 == 0 ? 40_000 + i : (i * 7) % 300;
      byte[] payload = new byte[size];
      for (int j = 0; j < size; j++) {
        payload[j] = (byte) (i + j);
      }
      out.add(Pong.newBuilder().setSeq(i).setPayload(ByteString.copyFrom(payload)).build());
    }
    out.set(0, Pong.getDefaultInstance()); // a zero-length message
    return out;
  }

  private static byte[] written(List<? extends Message> msgs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message m : msgs) {
      m.writeDelimitedTo(out);
    }
    return out.toByteArray();
  }

  private static DelimitedProtobufReader<Pong> reader(byte[] bytes) {
    return new DelimitedProtobufReader<>(new ByteArrayInputStream(bytes), Pong.getDefaultInstance());
  }

  @Test
  void manyMessagesRoundTripThroughAPipe() throws Exception {
    List<Pong> sent = messages(3_000);
    Pipe pipe = Pipe.open();
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try {
      Future<Long> writer = exec.submit(() -> {
        try (DelimitedProtobufWriter<Pong> w = new DelimitedProtobufWriter<>(pipe.sink())) {
          for (Pong p : sent) {
            w.write(p);
          }
          return w.offset();
        }
      });
      List<Pong> received = new ArrayList<>();
      try (DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(pipe.source(), Pong.getDefaultInstance())) {
        for (Pong p; (p = r.read()) != null; ) {
          received.add(p);
          assertTrue(received.size() <= sent.size(), "more messages than were sent");
        }
        assertEquals(writer.get(), r.offset());
      }
      assertEquals(sent, received);
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void readsWhatProtobufsWriteDelimitedToWrote() throws IOException {
    List<Pong> sent = messages(500);
    byte[] bytes = written(sent);
    List<Pong> received = new ArrayList<>();
    try (DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(
        Channels.newChannel(new ByteArrayInputStream(bytes)), Pong.getDefaultInstance())) {
      for (Pong p; (p = r.read()) != null; ) {
        received.add(p);
      }
      assertEquals(bytes.length, r.offset());
    }
    assertEquals(sent, received);
  }

  @Test
  void writesWhatProtobufsParseDelimitedFromReads() throws IOException {
    List<Pong> sent = messages(500);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DelimitedProtobufWriter<Pong> w = new DelimitedProtobufWriter<>(out)) {
      for (Pong p : sent) {
        w.write(p);
      }
    }
    assertArrayEquals(written(sent), out.toByteArray());
    InputStream in = new ByteArrayInputStream(out.toByteArray());
    List<Pong> received = new ArrayList<>();
    for (Pong p; (p = Pong.parseDelimitedFrom(in)) != null; ) {
      received.add(p);
    }
    assertEquals(sent, received);
  }

  /** Hands out one byte per read, the worst split a FIFO can produce. */
  private static InputStream trickle(byte[] bytes) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  @Test
  void readsMessagesSplitAcrossOneByteReads() throws IOException {
    List<Pong> sent = messages(200);
    List<Pong> received = new ArrayList<>();
    try (DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(trickle(written(sent)), Pong.getDefaultInstance())) {
      for (Pong p; (p = r.read()) != null; ) {
        received.add(p);
      }
    }
    assertEquals(sent, received);
  }

  @Test
  void cleanEndOfFileAtAMessageBoundaryEndsTheStream() throws IOException {
    assertNull(reader(new byte[0]).read());
    Ping ping = Ping.newBuilder().setSeq(1).build();
    DelimitedProtobufReader<Ping> r = new DelimitedProtobufReader<>(new ByteArrayInputStream(written(List.of(ping))),
        Ping.getDefaultInstance());
    assertEquals(ping, r.read());
    assertNull(r.read());
    assertNull(r.read());
  }

  @Test
  void endOfFileInsideAMessageIsTruncatedAtThatMessagesOffset() throws IOException {
    List<Pong> sent = messages(3);
    byte[] whole = written(sent);
    int secondStarts = sent.get(0).getSerializedSize() + 1;
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
    DelimitedProtobufReader<Pong> r = reader(cut);
    assertEquals(sent.get(0), r.read());
    assertEquals(sent.get(1), r.read());
    long thirdStarts = r.offset();
    assertTrue(thirdStarts > secondStarts);
    TruncatedStreamException e = assertThrows(TruncatedStreamException.class, r::read);
    assertEquals(thirdStarts, e.position());
  }

  /** Reads the empty message at the start, then the next. */
  private static Pong readTwice(byte[] bytes) throws IOException {
    DelimitedProtobufReader<Pong> r = reader(bytes);
    assertEquals(Pong.getDefaultInstance(), r.read());
    return r.read();
  }

  @Test
  void endOfFileInsideALengthPrefixIsTruncated() {
    // 0x80 announces a second varint byte that never comes.
    TruncatedStreamException e = assertThrows(TruncatedStreamException.class, () -> readTwice(new byte[] {0x00, (byte) 0x80}));
    assertEquals(1, e.position());
  }

  @Test
  void lengthAboveTheMaximumIsRefusedBeforeAllocating() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeUInt32NoTag(Integer.MAX_VALUE - 100); // claims almost 2 GiB, followed by nothing
    c.flush();
    DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(
        new ByteArrayInputStream(out.toByteArray()), Pong.getDefaultInstance(), 1024);
    FrameTooLongException e = assertThrows(FrameTooLongException.class, r::read);
    assertEquals(Integer.MAX_VALUE - 100, e.length());
    assertEquals(1024, e.limit());
    assertEquals(0, e.position());
    // The default maximum (16 MiB) refuses it too.
    assertThrows(FrameTooLongException.class, () -> reader(out.toByteArray()).read());
  }

  @Test
  void messageOfExactlyTheMaximumIsAccepted() throws IOException {
    Pong pong = Pong.newBuilder().setPayload(ByteString.copyFrom(new byte[1000])).build();
    int size = pong.getSerializedSize();
    DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(
        new ByteArrayInputStream(written(List.of(pong, pong))), Pong.getDefaultInstance(), size);
    assertEquals(pong, r.read());
    assertEquals(pong, r.read());
    assertNull(r.read());
  }

  @Test
  void sixtyFourBitLengthIsTooLongAndElevenByteVarintIsCorrupt() {
    byte[] bit63 = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, 0x01};
    assertThrows(FrameTooLongException.class, () -> reader(bit63).read());
    byte[] tooLongVarint = new byte[12];
    java.util.Arrays.fill(tooLongVarint, 0, 11, (byte) 0xff);
    CorruptFrameException e = assertThrows(CorruptFrameException.class, () -> reader(tooLongVarint).read());
    assertEquals(0, e.position());
  }

  @Test
  void unparsableMessageIsADecodeExceptionAndTheNextMessageStillReads() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Pong first = Pong.newBuilder().setSeq(1).build();
    Pong third = Pong.newBuilder().setSeq(3).build();
    first.writeDelimitedTo(out);
    int badAt = out.size();
    byte[] garbage = {0x1a, 0x09, 0x01}; // a field announcing 9 bytes inside a 3-byte message
    out.write(garbage.length);
    out.write(garbage);
    third.writeDelimitedTo(out);
    DelimitedProtobufReader<Pong> r = reader(out.toByteArray());
    assertEquals(first, r.read());
    DecodeException e = assertThrows(DecodeException.class, r::read);
    assertEquals(badAt, e.position());
    assertArrayEquals(garbage, e.payload());
    assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
    assertInstanceOf(dev.fifochan.MessageException.class, e, "a per-message failure");
    assertEquals(third, r.read());
    assertNull(r.read());
  }

  @Test
  void decodedMessagesDoNotShareTheReadersBuffer() throws IOException {
    List<Pong> sent = messages(50);
    List<Pong> received = new ArrayList<>();
    DelimitedProtobufReader<Pong> r = reader(written(sent));
    for (Pong p; (p = r.read()) != null; ) {
      received.add(p); // later reads overwrite the buffer these were parsed from
      assertTrue(received.size() <= sent.size(), "more messages than were sent");
    }
    assertEquals(sent, received);
  }

  @Test
  void writerRefusesATooLongMessageBeforeWritingAnything() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DelimitedProtobufWriter<Pong> w = new DelimitedProtobufWriter<>(out, 100);
    Pong small = Pong.newBuilder().setSeq(1).build();
    w.write(small);
    int before = out.size();
    Pong big = Pong.newBuilder().setPayload(ByteString.copyFrom(new byte[200])).build();
    MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> w.write(big));
    assertEquals(big.getSerializedSize(), e.length());
    assertEquals(100, e.limit());
    assertEquals(before, w.offset());
    assertEquals(before, out.size());
    w.write(small); // still usable
    assertEquals(2 * before, out.size());
  }

  @Test
  void writerRefusesAMessageMissingRequiredFields() {
    var req = TestMessages.proto2WithRequiredField();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DelimitedProtobufWriter<Message> w = new DelimitedProtobufWriter<>(out);
    assertThrows(EncodeException.class, () -> w.write(DynamicMessage.newBuilder(req).buildPartial()));
    assertEquals(0, out.size());
  }

  @Test
  void closedReaderAndWriterRefuseWork() throws IOException {
    DelimitedProtobufReader<Pong> r = reader(new byte[0]);
    r.close();
    r.close();
    assertThrows(ClosedChannelException.class, r::read);
    DelimitedProtobufWriter<Pong> w = new DelimitedProtobufWriter<>(new ByteArrayOutputStream());
    w.close();
    assertThrows(ClosedChannelException.class, () -> w.write(Pong.getDefaultInstance()));
  }

  @Test
  void readerBlocksUntilTheWriterSendsAndEndsWhenItCloses() throws Exception {
    Pipe pipe = Pipe.open();
    DelimitedProtobufReader<Ping> r = new DelimitedProtobufReader<>(pipe.source(), Ping.getDefaultInstance());
    CompletableFuture<Ping> next = CompletableFuture.supplyAsync(() -> {
      try {
        return r.read();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Thread.sleep(50);
    assertTrue(!next.isDone(), "read returned before anything was written");
    DelimitedProtobufWriter<Ping> w = new DelimitedProtobufWriter<>(pipe.sink());
    Ping ping = Ping.newBuilder().setSeq(5).build();
    w.write(ping);
    assertEquals(ping, next.get(10, TimeUnit.SECONDS));
    w.close();
    assertNull(r.read());
  }
}
