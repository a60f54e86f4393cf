package dev.fifochan.bench;

import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.MessageHandler;
import dev.fifochan.bench.FifochanApi.In;
import dev.fifochan.bench.FifochanApi.Out;
import dev.fifochan.bench.FifochanApi.Profile;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One way of moving messages between the two processes: fifochan itself, a baseline (raw, naive) or
 * a peer (C, Aeron IPC, gRPC over a Unix domain socket). Each variant has the four roles of the
 * benchmark: throughput writer (in the peer JVM) and reader (in the parent), round-trip echo (peer)
 * and pinger (parent). Variants that do not use the FIFOs ignore the paths.
 *
 * <p>Adding a variant: subclass, register it in {@link #byName}, and override the optional hooks
 * below that apply (which workloads it takes part in, set-up once per JVM, calls with many callers).
 */
abstract class Variant {
  /**
   * Write and read size of the raw baseline: 256 KiB, the size of fifochan's default buffer (system
   * property {@code fifochan.bench.rawChunk}; 64 KiB chunks were not measurably faster here).
   */
  static final int RAW_BUFFER = Math.max(4096, Integer.getInteger("fifochan.bench.rawChunk", 256 * 1024));
  /** Buffer of the naive streams. */
  static final int NAIVE_BUFFER = 64 * 1024;

  /** Every variant name {@link #byName} knows, in the order tables list them. */
  static final List<String> KNOWN = List.of("fifochan", "fifochan-frames", "fifochan-spin", "fifochan-noflusher",
      "fifochan-filechannel", "fifochan-rpc", "fifochan-rpc-spin", "fifochan-nats", "fifochan-nats-js", "raw", "naive", "c", "aeron", "grpc", "jnats",
      "jnats-js");

  final String name;
  /**
   * CPU time (ns) of the last write or read when the work ran outside this JVM (the C programs), or
   * -1: then the harness measures this JVM's CPU time itself.
   */
  long externalCpu = -1;

  Variant(String name) {
    this.name = name;
  }

  /** Whether the parent must hold the FIFOs open read-write (to enlarge the pipe like fifochan does). */
  boolean needsPipeHold() {
    return true;
  }

  /** Writes {@code count} messages; returns System.nanoTime() just before the first one. */
  abstract <T> long write(Workload<T> w, int count, Path fifo) throws IOException;

  /** Reads {@code count} messages; returns System.nanoTime() just after the last one. */
  abstract <T> long read(Workload<T> w, int count, Path fifo) throws IOException;

  /** Echoes {@code total} messages from {@code in} back to {@code out}. */
  abstract <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException;

  /** Sends {@code warmup + count} messages one at a time and waits for each echo; returns the last {@code count} round-trip times. */
  abstract <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException;

  // ---- optional hooks (defaults fit the FIFO variants) ----

  /** A short description for tables. */
  String label() {
    return name;
  }

  /** Why this variant cannot run here (a missing tool, an API that lacks something), or null. */
  String unavailable() {
    return null;
  }

  /** Whether this variant takes part in the one-way trials of {@code w}. */
  boolean supportsThroughput(Workload<?> w) {
    return true;
  }

  /** Whether this variant takes part in the round trips of {@code w} with the processes placed so ({@code different|same|none}). */
  boolean supportsRoundTrip(Workload<?> w, String placement) {
    return true;
  }

  /** Factor on the harness's message counts for this variant (a slow peer gets fewer messages per trial). */
  double countScale(Workload<?> w) {
    return 1.0;
  }

  /** Whether the sending/receiving work runs on the calling thread (else only process CPU time is meaningful). */
  boolean cpuOnCallingThread() {
    return true;
  }

  /** Called in the parent just before it tells the peer to write {@code count} messages of {@code w}. */
  void beforePeerWrites(Workload<?> w, int count) {}

  /** Set-up once per JVM before the first trial ({@code parent}: this is the parent JVM). */
  void prepare(boolean parent) throws Exception {}

  /** Tear-down once per JVM after the last trial. */
  void release(boolean parent) {}

  /** Whether {@link #calls} (request/response with several concurrent callers) is supported. */
  boolean supportsCalls(Workload<?> w) {
    return false;
  }

  /**
   * Request/response with {@code callers} concurrent callers, each making {@code warmup} untimed and
   * then {@code perCaller} timed calls; the peer runs {@link #serveCalls}.
   */
  <T> Calls calls(Workload<T> w, int callers, int warmup, int perCaller, Path out, Path in) throws IOException {
    throw new UnsupportedOperationException(name + ": no calls");
  }

  /** The peer's side of {@link #calls}: answers {@code total} calls. */
  <T> void serveCalls(Workload<T> w, int total, Path in, Path out) throws IOException {
    echo(w, total, in, out);
  }

  /** Result of {@link #calls}: calls per second over the timed part and every timed call's latency (ns). */
  static final class Calls {
    final double perSecond;
    final long[] latencies;

    Calls(double perSecond, long[] latencies) {
      this.perSecond = perSecond;
      this.latencies = latencies;
    }
  }

  static Variant byName(String name) {
    switch (name) {
      case "fifochan":
        return new Fifochan("fifochan", Profile.THROUGHPUT, Profile.ROUND_TRIP);
      case "fifochan-frames":
        return new FifochanFrames();
      case "fifochan-spin":
        return new Fifochan(name, null, Profile.ROUND_TRIP_SPIN);
      case "fifochan-filechannel":
        return new FifochanOverFileChannel();
      case "fifochan-noflusher":
        return new Fifochan(name, Profile.NO_FLUSHER, Profile.ROUND_TRIP);
      case "fifochan-rpc":
        return new RpcVariant(name, Profile.ROUND_TRIP);
      case "fifochan-rpc-spin":
        return new RpcVariant(name, Profile.ROUND_TRIP_SPIN);
      case "fifochan-nats":
        return new NatsPeer(name, true, false);
      case "fifochan-nats-js":
        return new NatsPeer(name, true, true);
      case "jnats":
        return new NatsPeer(name, false, false);
      case "jnats-js":
        return new NatsPeer(name, false, true);
      case "raw":
        return new Raw();
      case "naive":
        return new Naive();
      case "c":
        return new CPeer();
      case "aeron":
        return new AeronPeer();
      case "grpc":
        return new GrpcPeer();
      default:
        throw new IllegalArgumentException("unknown variant " + name + "; known: " + KNOWN);
    }
  }

  static void expect(long got, long want, String what) {
    if (got != want) {
      throw new IllegalStateException(what + ": got " + got + ", expected " + want);
    }
  }

  /** Counts received messages for {@link In#poll} and notes the time the last expected one arrived. */
  static final class ReadCounter<T> implements MessageHandler<T> {
    private final Workload<T> w;
    private final long count;
    long n;
    long sum;
    long tEnd;

    ReadCounter(Workload<T> w, long count) {
      this.w = w;
      this.count = count;
    }

    @Override
    public void onMessage(T m, Headers headers) {
      sum += w.check(m);
      if (++n == count) {
        tEnd = System.nanoTime();
      }
    }
  }

  /**
   * Counts received frames for {@link In#pollFrames} (the zero-copy path): checks each payload's length
   * and reads its last byte from the view, copies nothing.
   */
  static final class FrameCounter implements FrameHandler {
    private final int size;
    private final long count;
    long n;
    long sum;
    long tEnd;

    FrameCounter(int size, long count) {
      this.size = size;
      this.count = count;
    }

    @Override
    public void onFrame(Frame f) {
      java.nio.ByteBuffer p = f.payload();
      int len = p.remaining();
      if (len != size) {
        throw new IllegalStateException("frame of " + len + " bytes, expected " + size);
      }
      sum += len + p.get(p.limit() - 1);
      if (++n == count) {
        tEnd = System.nanoTime();
      }
    }
  }

  /**
   * fifochan: Sender/Receiver over the FIFO transport through {@link FifochanApi}, default
   * configuration for throughput, {@code flushDelay(ZERO)} for round trips.
   */
  static final class Fifochan extends Variant {
    private final Profile tput;
    private final Profile rtt;

    /** @param tput the profile for throughput trials (null: no throughput trials); {@code rtt} for round trips */
    Fifochan(String name, Profile tput, Profile rtt) {
      super(name);
      this.tput = tput;
      this.rtt = rtt;
    }

    @Override
    String unavailable() {
      String r = rtt.unsupported();
      return r != null ? r : tput == null ? null : tput.unsupported();
    }

    @Override
    boolean supportsThroughput(Workload<?> w) {
      return tput != null;
    }

    @Override
    boolean supportsRoundTrip(Workload<?> w, String placement) {
      // as Aeron: a busy-waiting process on the CPU its peer needs measures only the scheduler
      return !(rtt.spins() && placement.equals("same"));
    }

    @Override
    String label() {
      return rtt.spins() ? name + " (spin 1 ms, yield 1 ms, then park)" : name;
    }

    @Override
    boolean needsPipeHold() {
      return false;
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      try (Out<T> s = FifochanApi.openSender(fifo, w.codec(), tput)) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          s.send(w.message(i));
        }
        s.flush();
        return t0;
      }
    }

    @Override
    <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
      try (In<T> r = FifochanApi.openReceiver(fifo, w.codec(), tput)) {
        ReadCounter<T> h = new ReadCounter<>(w, count);
        while (r.poll(h, 1024) >= 0) {
          // the handler counts
        }
        Main.notePipeSize(r.pipeSize()); // after the end: the pipe is still there, the trial is over
        expect(h.n, count, name + " messages received");
        Main.sink(h.sum);
        return h.tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      try (In<T> r = FifochanApi.openReceiver(in, w.codec(), rtt);
          Out<T> s = FifochanApi.openSender(out, w.codec(), rtt)) {
        int n = 0;
        T m;
        while ((m = r.receive()) != null) {
          s.send(m);
          n++;
        }
        expect(n, total, name + " echoes");
      }
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
      long[] rtt = new long[count];
      try (Out<T> s = FifochanApi.openSender(out, w.codec(), this.rtt);
          In<T> r = FifochanApi.openReceiver(in, w.codec(), this.rtt)) {
        long sum = 0;
        for (int i = 0; i < warmup + count; i++) {
          T m = w.message(i);
          long t0 = System.nanoTime();
          s.send(m);
          T back = r.receive();
          long t1 = System.nanoTime();
          if (back == null) {
            throw new IllegalStateException("echo stream ended after " + i);
          }
          sum += w.check(back);
          if (i >= warmup) {
            rtt[i - warmup] = t1 - t0;
          }
        }
        s.close();
        expect(r.receive() == null ? 0 : 1, 0, "messages after the last echo");
        Main.sink(sum);
      }
      return rtt;
    }
  }

  /**
   * fifochan with the zero-copy receive: the same sender as {@link Fifochan} (defaults, {@code send(byte[])}),
   * the reader takes raw frames with {@code pollFrames} and reads the payload views in place (no
   * {@code byte[]} per message, no decode). Only the {@code byte[]} workloads, one-way only (round
   * trips are {@link Fifochan}'s).
   */
  static final class FifochanFrames extends Variant {
    private final Fifochan writer = new Fifochan("fifochan", Profile.THROUGHPUT, Profile.ROUND_TRIP);

    FifochanFrames() {
      super("fifochan-frames");
    }

    @Override
    String label() {
      return "fifochan-frames (pollFrames, zero-copy)";
    }

    @Override
    boolean supportsThroughput(Workload<?> w) {
      return w instanceof Workload.BytesWorkload;
    }

    @Override
    boolean supportsRoundTrip(Workload<?> w, String placement) {
      return false;
    }

    @Override
    boolean needsPipeHold() {
      return false;
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      return writer.write(w, count, fifo);
    }

    @Override
    <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
      try (In<T> r = FifochanApi.openReceiver(fifo, w.codec(), Profile.THROUGHPUT)) {
        FrameCounter h = new FrameCounter(((Workload.BytesWorkload) w).size, count);
        while (r.pollFrames(h, 1024) >= 0) {
          // the handler counts
        }
        Main.notePipeSize(r.pipeSize());
        expect(h.n, count, name + " frames received");
        Main.sink(h.sum);
        return h.tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) {
      throw new UnsupportedOperationException(name + ": one-way only");
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) {
      throw new UnsupportedOperationException(name + ": one-way only");
    }
  }

  /**
   * Diagnostic: fifochan's Sender/Receiver over plain blocking JDK {@link FileChannel}s instead of the
   * FIFO transport's non-blocking channels (so no ppoll, no jnr-ffi); same profiles as
   * {@link Fifochan}. Shows what the transport's way of waiting costs.
   */
  static final class FifochanOverFileChannel extends Variant {
    FifochanOverFileChannel() {
      super("fifochan-filechannel");
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      try (Out<T> s = FifochanApi.senderOver(FileChannel.open(fifo, StandardOpenOption.WRITE), w.codec(), Profile.THROUGHPUT)) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          s.send(w.message(i));
        }
        s.flush();
        return t0;
      }
    }

    @Override
    <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
      try (In<T> r = FifochanApi.receiverOver(FileChannel.open(fifo, StandardOpenOption.READ), w.codec(), Profile.THROUGHPUT)) {
        ReadCounter<T> h = new ReadCounter<>(w, count);
        while (h.n < count && r.poll(h, (int) Math.min(1024, count - h.n)) >= 0) {
          // the handler counts
        }
        expect(h.n, count, "fifochan-filechannel messages received");
        Main.sink(h.sum);
        return h.tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      try (In<T> r = FifochanApi.receiverOver(FileChannel.open(in, StandardOpenOption.READ), w.codec(), Profile.ROUND_TRIP);
          Out<T> s = FifochanApi.senderOver(FileChannel.open(out, StandardOpenOption.WRITE), w.codec(), Profile.ROUND_TRIP)) {
        for (int i = 0; i < total; i++) {
          T m = r.receive();
          if (m == null) {
            throw new IllegalStateException("stream ended after " + i);
          }
          s.send(m);
        }
      }
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
      long[] rtt = new long[count];
      try (Out<T> s = FifochanApi.senderOver(FileChannel.open(out, StandardOpenOption.WRITE), w.codec(), Profile.ROUND_TRIP);
          In<T> r = FifochanApi.receiverOver(FileChannel.open(in, StandardOpenOption.READ), w.codec(), Profile.ROUND_TRIP)) {
        long sum = 0;
        for (int i = 0; i < warmup + count; i++) {
          T m = w.message(i);
          long t0 = System.nanoTime();
          s.send(m);
          T back = r.receive();
          long t1 = System.nanoTime();
          if (back == null) {
            throw new IllegalStateException("echo stream ended after " + i);
          }
          sum += w.check(back);
          if (i >= warmup) {
            rtt[i - warmup] = t1 - t0;
          }
        }
        Main.sink(sum);
      }
      return rtt;
    }
  }

  /**
   * Raw: the same byte volume as fifochan's frames (header-sized zeros + payload, no framing logic, no
   * codec) through plain blocking {@link FileChannel}s,
   * coalesced in a page-aligned direct buffer of {@link #RAW_BUFFER} bytes on both sides (round trips: one write of the
   * payload, then read exactly that many bytes back).
   */
  static final class Raw extends Variant {
    Raw() {
      super("raw");
    }

    static ByteBuffer aligned(int size) {
      return ByteBuffer.allocateDirect(size + 4096).alignedSlice(4096);
    }

    static long totalBytes(byte[][] pool, int count) {
      long total = 0;
      for (int i = 0; i < count; i++) {
        total += pool[i & (pool.length - 1)].length;
      }
      return total;
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      byte[][] pool = w.framePool();
      ByteBuffer buf = aligned(RAW_BUFFER);
      try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          byte[] b = pool[i & (pool.length - 1)];
          if (buf.remaining() < b.length) {
            buf.flip();
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
            buf.clear();
          }
          if (b.length > buf.capacity()) {
            ByteBuffer big = ByteBuffer.wrap(b);
            while (big.hasRemaining()) {
              ch.write(big);
            }
            continue;
          }
          buf.put(b);
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        return t0;
      }
    }

    @Override
    <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
      long total = totalBytes(w.framePool(), count);
      ByteBuffer buf = aligned(RAW_BUFFER);
      try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ)) {
        long got = 0;
        while (got < total) {
          buf.clear();
          int n = ch.read(buf);
          if (n < 0) {
            break;
          }
          got += n;
        }
        long tEnd = System.nanoTime();
        expect(got, total, "raw bytes received");
        return tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      byte[][] pool = w.framePool();
      ByteBuffer buf = aligned(RAW_BUFFER);
      try (FileChannel r = FileChannel.open(in, StandardOpenOption.READ);
          FileChannel s = FileChannel.open(out, StandardOpenOption.WRITE)) {
        for (int i = 0; i < total; i++) {
          int size = pool[i & (pool.length - 1)].length;
          buf.clear().limit(size);
          while (buf.hasRemaining()) {
            if (r.read(buf) < 0) {
              throw new IllegalStateException("raw echo: end of file after " + i);
            }
          }
          buf.flip();
          while (buf.hasRemaining()) {
            s.write(buf);
          }
        }
      }
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
      byte[][] pool = w.framePool();
      long[] rtt = new long[count];
      ByteBuffer sbuf = aligned(RAW_BUFFER);
      ByteBuffer rbuf = aligned(RAW_BUFFER);
      try (FileChannel s = FileChannel.open(out, StandardOpenOption.WRITE);
          FileChannel r = FileChannel.open(in, StandardOpenOption.READ)) {
        for (int i = 0; i < warmup + count; i++) {
          byte[] b = pool[i & (pool.length - 1)];
          long t0 = System.nanoTime();
          sbuf.clear();
          sbuf.put(b).flip();
          while (sbuf.hasRemaining()) {
            s.write(sbuf);
          }
          rbuf.clear().limit(b.length);
          while (rbuf.hasRemaining()) {
            if (r.read(rbuf) < 0) {
              throw new IllegalStateException("raw echo stream ended after " + i);
            }
          }
          long t1 = System.nanoTime();
          if (rbuf.get(b.length - 1) != b[b.length - 1]) {
            throw new IllegalStateException("raw echo mismatch at " + i);
          }
          if (i >= warmup) {
            rtt[i - warmup] = t1 - t0;
          }
        }
      }
      return rtt;
    }
  }

  /**
   * Naive: a hand-written length prefix with {@link DataOutputStream}/{@link DataInputStream} over
   * buffered {@link FileOutputStream}/{@link FileInputStream}; the message encoded with its library's
   * plain API ({@code toByteArray}, {@code ObjectMapper.writeValueAsBytes}); round trips flush after
   * each message.
   */
  static final class Naive extends Variant {
    Naive() {
      super("naive");
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(fifo.toFile()), NAIVE_BUFFER))) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          byte[] b = w.toBytes(w.message(i));
          out.writeInt(b.length);
          out.write(b);
        }
        out.flush();
        return t0;
      }
    }

    @Override
    <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(fifo.toFile()), NAIVE_BUFFER))) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          sum += w.check(w.fromBytes(b));
        }
        long tEnd = System.nanoTime();
        Main.sink(sum);
        return tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      try (DataInputStream r = new DataInputStream(new BufferedInputStream(new FileInputStream(in.toFile()), NAIVE_BUFFER));
          DataOutputStream s = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(out.toFile()), NAIVE_BUFFER))) {
        for (int i = 0; i < total; i++) {
          byte[] b = new byte[r.readInt()];
          r.readFully(b);
          T m = w.fromBytes(b);
          byte[] e = w.toBytes(m);
          s.writeInt(e.length);
          s.write(e);
          s.flush();
        }
      }
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
      long[] rtt = new long[count];
      try (DataOutputStream s = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(out.toFile()), NAIVE_BUFFER));
          DataInputStream r = new DataInputStream(new BufferedInputStream(new FileInputStream(in.toFile()), NAIVE_BUFFER))) {
        long sum = 0;
        for (int i = 0; i < warmup + count; i++) {
          T m = w.message(i);
          long t0 = System.nanoTime();
          byte[] b = w.toBytes(m);
          s.writeInt(b.length);
          s.write(b);
          s.flush();
          byte[] back = new byte[r.readInt()];
          r.readFully(back);
          T got = w.fromBytes(back);
          long t1 = System.nanoTime();
          sum += w.check(got);
          if (i >= warmup) {
            rtt[i - warmup] = t1 - t0;
          }
        }
        Main.sink(sum);
      }
      return rtt;
    }
  }
}
