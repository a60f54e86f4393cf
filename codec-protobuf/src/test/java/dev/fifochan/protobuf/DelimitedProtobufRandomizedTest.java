package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.Deadline;
import dev.fifochan.spi.WaitableChannel;
import dev.fifochan.interop.Pong;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random streams (fixed seeds, so a failure reproduces): whatever the message sizes and however
 * the transport splits the bytes, the reader returns exactly what protobuf wrote, and a cut anywhere
 * inside a message is a truncation at that message's offset.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DelimitedProtobufRandomizedTest {

  private static List<Pong> randomMessages(Random rnd) {
    int n = rnd.nextInt(25);
    List<Pong> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int size = switch (rnd.nextInt(4)) {
        case 0 -> 0;
        case 1 -> rnd.nextInt(128);
        case 2 -> rnd.nextInt(20_000);
        default -> 120 + rnd.nextInt(20); // around the one/two-byte varint boundary
      };
      byte[] payload = new byte[size];
      rnd.nextBytes(payload);
      out.add(Pong.newBuilder().setSeq(rnd.nextLong()).setPayload(ByteString.copyFrom(payload)).build());
    }
    return out;
  }

  private static byte[] delimited(List<Pong> msgs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Pong m : msgs) {
      m.writeDelimitedTo(out);
    }
    return out.toByteArray();
  }

  /** Returns at most a random 1..maxChunk bytes per read. */
  private static InputStream chunked(byte[] bytes, Random rnd, int maxChunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + rnd.nextInt(maxChunk)));
      }
    };
  }

  @Test
  void randomMessagesSurviveRandomReadSplits() throws IOException {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      List<Pong> sent = randomMessages(rnd);
      byte[] bytes = delimited(sent);
      List<Pong> got = new ArrayList<>();
      DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(
          chunked(bytes, rnd, 1 + rnd.nextInt(9000)), Pong.getDefaultInstance());
      for (Pong p; (p = r.read()) != null; ) {
        got.add(p);
        assertTrue(got.size() <= sent.size(), "seed " + seed + ": more messages than were sent");
      }
      assertEquals(sent, got, "seed " + seed);
      assertEquals(bytes.length, r.offset(), "seed " + seed);
    }
  }

  @Test
  void aCutAnywhereInsideAMessageIsATruncationAtThatMessage() throws IOException {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      List<Pong> sent = randomMessages(rnd);
      if (sent.isEmpty()) {
        continue;
      }
      byte[] bytes = delimited(sent);
      int cut = rnd.nextInt(bytes.length); // strictly inside the stream
      // Where each message starts; the last one at or before the cut is the one cut short, unless
      // the cut falls exactly on a boundary.
      long[] starts = new long[sent.size() + 1];
      for (int i = 0; i < sent.size(); i++) {
        starts[i + 1] = starts[i] + delimited(List.of(sent.get(i))).length;
      }
      int complete = 0;
      while (starts[complete + 1] <= cut) {
        complete++;
      }
      DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(
          chunked(java.util.Arrays.copyOf(bytes, cut), rnd, 5000), Pong.getDefaultInstance());
      for (int i = 0; i < complete; i++) {
        assertEquals(sent.get(i), r.read(), "seed " + seed);
      }
      if (starts[complete] == cut) {
        assertNull(r.read(), "seed " + seed + ": cut on a boundary looks like a clean end");
      } else {
        TruncatedStreamException e = assertThrows(TruncatedStreamException.class, r::read, "seed " + seed);
        assertEquals(starts[complete], e.position(), "seed " + seed);
      }
    }
  }

  /** A non-blocking channel in the api's style: every other call returns 0 until awaitReady is called. */
  private static final class HesitantChannel implements ReadableByteChannel, WritableByteChannel, WaitableChannel {
    private final ByteBuffer source;
    final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    boolean ready;
    int waits;

    HesitantChannel(byte[] bytes) {
      source = ByteBuffer.wrap(bytes);
    }

    @Override
    public boolean awaitReady(Deadline deadline) {
      waits++;
      ready = true;
      return true;
    }

    @Override
    public void wakeup() {}

    @Override
    public int read(ByteBuffer dst) {
      if (!source.hasRemaining()) {
        return -1;
      }
      if (!ready) {
        return 0;
      }
      ready = false;
      int n = Math.min(Math.min(dst.remaining(), source.remaining()), 777);
      ByteBuffer part = source.slice();
      part.limit(n);
      dst.put(part);
      source.position(source.position() + n);
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      if (!ready) {
        return 0;
      }
      ready = false;
      int n = Math.min(src.remaining(), 333);
      byte[] part = new byte[n];
      src.get(part);
      sink.write(part, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void readerWaitsOnAWaitableChannelInsteadOfSpinning() throws IOException {
    List<Pong> sent = randomMessages(new Random(42));
    HesitantChannel channel = new HesitantChannel(delimited(sent));
    DelimitedProtobufReader<Pong> r = new DelimitedProtobufReader<>(channel, Pong.getDefaultInstance());
    List<Pong> got = new ArrayList<>();
    for (Pong p; (p = r.read()) != null; ) {
      got.add(p);
    }
    assertEquals(sent, got);
    assertTrue(channel.waits > 0);
  }

  @Test
  void writerWaitsOnAWaitableChannelInsteadOfSpinning() throws IOException {
    List<Pong> sent = randomMessages(new Random(43));
    HesitantChannel channel = new HesitantChannel(new byte[0]);
    DelimitedProtobufWriter<Pong> w = new DelimitedProtobufWriter<>(channel);
    for (Pong p : sent) {
      w.write(p);
    }
    assertArrayEquals(delimited(sent), channel.sink.toByteArray());
    assertTrue(channel.waits > 0);
  }
}
