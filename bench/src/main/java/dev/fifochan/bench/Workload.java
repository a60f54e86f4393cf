package dev.fifochan.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.interop.Ping;
import dev.fifochan.json.JsonCodec;
import java.io.IOException;
import java.util.Random;

/**
 * A kind of message: how fifochan encodes it (its {@link Codec}), how the naive baseline encodes it
 * ({@link #toBytes}/{@link #fromBytes}), and a pool of prepared instances the senders cycle through.
 */
public abstract class Workload<T> {
  static final int POOL = 1024;

  final String name;
  final String label;

  Workload(String name, String label) {
    this.name = name;
    this.label = label;
  }

  abstract Codec<T> codec();

  /** The message class (request/response names it for the responses). */
  @SuppressWarnings("unchecked")
  Class<T> type() {
    return (Class<T>) message(0).getClass();
  }

  /** The i-th prepared message (i is reduced modulo the pool size). */
  abstract T message(int i);

  /** The naive baseline's encoding (what a hand-written length-prefix protocol would do). */
  abstract byte[] toBytes(T m) throws IOException;

  abstract T fromBytes(byte[] b) throws IOException;

  /** A cheap sanity value of a received message, to keep it alive and to check it. */
  abstract long check(T m);

  /** The encoded payload size of the i-th message, for the raw baseline's byte volume. */
  int encodedSize(int i) {
    try {
      return toBytes(message(i)).length;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The encoded payload bytes of the pool, concatenated in order, and their offsets. */
  byte[][] encodedPool() {
    byte[][] pool = new byte[POOL][];
    for (int i = 0; i < POOL; i++) {
      try {
        pool[i] = toBytes(message(i));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return pool;
  }

  /**
   * What the raw baseline moves per message: the same byte volume as the message's fifochan frame
   * (6-byte header, the type tag, the payload), with the header and tag bytes left zero.
   */
  byte[][] framePool() {
    byte[][] payloads = encodedPool();
    byte[][] frames = new byte[payloads.length][];
    for (int i = 0; i < payloads.length; i++) {
      int overhead = 6 + codec().tagOf(message(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      frames[i] = new byte[overhead + payloads[i].length];
      System.arraycopy(payloads[i], 0, frames[i], overhead, payloads[i].length);
    }
    return frames;
  }

  static Workload<?> byName(String name) {
    switch (name) {
      case "bytes100":
        return new BytesWorkload(name, "100 B byte[]", 100);
      case "bytes64k":
        return new BytesWorkload(name, "64 KiB byte[]", 64 * 1024);
      case "proto":
        return new ProtoWorkload();
      case "json":
        return new JsonWorkload();
      default:
        throw new IllegalArgumentException("unknown workload " + name);
    }
  }

  /** Raw payloads, one shared random array per pool slot (for 64 KiB: a few arrays, reused). */
  static final class BytesWorkload extends Workload<byte[]> {
    final int size;
    private final byte[][] pool;

    BytesWorkload(String name, String label, int size) {
      super(name, label);
      this.size = size;
      Random r = new Random(42);
      int n = size > 4096 ? 8 : POOL;
      pool = new byte[n][size];
      for (byte[] b : pool) {
        r.nextBytes(b);
      }
    }

    @Override
    Codec<byte[]> codec() {
      return Codecs.bytes();
    }

    @Override
    byte[] message(int i) {
      return pool[i & (pool.length - 1)];
    }

    @Override
    byte[] toBytes(byte[] m) {
      return m;
    }

    @Override
    byte[] fromBytes(byte[] b) {
      return b;
    }

    @Override
    long check(byte[] m) {
      return m.length;
    }

    @Override
    int encodedSize(int i) {
      return size;
    }
  }

  /** The interop {@code Ping{seq, text}} protobuf message (about 20 bytes encoded). */
  static final class ProtoWorkload extends Workload<Ping> {
    private final Ping[] pool = new Ping[POOL];

    ProtoWorkload() {
      super("proto", "protobuf Ping");
      for (int i = 0; i < POOL; i++) {
        pool[i] = Ping.newBuilder().setSeq(1_000_000L + i).setText("ping-" + (1_000_000 + i)).build();
      }
    }

    @Override
    Codec<Ping> codec() {
      return dev.fifochan.protobuf.ProtobufCodec.of(Ping.class);
    }

    @Override
    Ping message(int i) {
      return pool[i & (POOL - 1)];
    }

    @Override
    byte[] toBytes(Ping m) {
      return m.toByteArray();
    }

    @Override
    Ping fromBytes(byte[] b) throws InvalidProtocolBufferException {
      return Ping.parseFrom(b);
    }

    @Override
    long check(Ping m) {
      return m.getSeq();
    }
  }

  /** A small record as JSON via Jackson (about 80 bytes encoded). */
  static final class JsonWorkload extends Workload<Quote> {
    private final Quote[] pool = new Quote[POOL];
    private final ObjectMapper mapper = new ObjectMapper();

    JsonWorkload() {
      super("json", "JSON record");
      Random r = new Random(7);
      String[] symbols = {"ACME", "INITECH", "UMBRELLA", "GLOBEX", "HOOLI"};
      for (int i = 0; i < POOL; i++) {
        pool[i] = new Quote(1_000_000L + i, symbols[i % symbols.length], Math.round(r.nextDouble() * 100_000) / 100.0,
            1 + r.nextInt(1000), i % 2 == 0);
      }
    }

    @Override
    Codec<Quote> codec() {
      return JsonCodec.of(Quote.class);
    }

    @Override
    Quote message(int i) {
      return pool[i & (POOL - 1)];
    }

    @Override
    byte[] toBytes(Quote m) throws IOException {
      return mapper.writeValueAsBytes(m);
    }

    @Override
    Quote fromBytes(byte[] b) throws IOException {
      return mapper.readValue(b, Quote.class);
    }

    @Override
    long check(Quote m) {
      return m.seq();
    }
  }

  /** The JSON message. */
  public record Quote(long seq, String symbol, double price, int quantity, boolean buy) {}
}
