package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoReadChannel;
import dev.fifochan.fifo.FifoWriteChannel;
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
import java.time.Duration;

/**
 * One way of moving messages through a FIFO: fifochan itself, or a baseline. Each variant has the
 * four roles of the benchmark: throughput writer and reader, round-trip echo and pinger.
 */
abstract class Variant {
  /**
   * Write and read size of the raw baseline: 256 KiB, the size of fifochan's default buffer (system
   * property {@code fifochan.bench.rawChunk}; 64 KiB chunks were not measurably faster here).
   */
  static final int RAW_BUFFER = Math.max(4096, Integer.getInteger("fifochan.bench.rawChunk", 256 * 1024));
  /** Buffer of the naive streams. */
  static final int NAIVE_BUFFER = 64 * 1024;

  final String name;

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

  static Variant byName(String name) {
    switch (name) {
      case "fifochan":
        return new Fifochan("fifochan", Fifochan.TPUT);
      case "fifochan-filechannel":
        return new FifochanOverFileChannel();
      case "fifochan-noflusher":
        return new Fifochan(name, Fifochan.TPUT.toBuilder().flushDelay(Duration.ofDays(1)).build());
      case "raw":
        return new Raw();
      case "naive":
        return new Naive();
      default:
        throw new IllegalArgumentException("unknown variant " + name);
    }
  }

  static void expect(long got, long want, String what) {
    if (got != want) {
      throw new IllegalStateException(what + ": got " + got + ", expected " + want);
    }
  }

  /** fifochan: Sender/Receiver over the FIFO transport, default configuration (round trips: flushDelay ZERO). */
  static final class Fifochan extends Variant {
    static final ChannelConfig TPUT = ChannelConfig.defaults();
    static final ChannelConfig RTT = ChannelConfig.defaults().toBuilder().flushDelay(Duration.ZERO).build();

    private final ChannelConfig tput;

    /** @param tput the sender's configuration for throughput trials (round trips always use {@link #RTT}) */
    Fifochan(String name, ChannelConfig tput) {
      super(name);
      this.tput = tput;
    }

    @Override
    boolean needsPipeHold() {
      return false;
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      try (Sender<T> s = Sender.over(Fifo.openWriteChannel(fifo, tput), w.codec(), tput)) {
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
      FifoReadChannel ch = Fifo.openReadChannel(fifo, TPUT);
      Main.notePipeSize(ch.pipeSize());
      try (Receiver<T> r = Receiver.over(ch, w.codec(), TPUT)) {
        long n = 0;
        long sum = 0;
        long tEnd = 0;
        T m;
        while ((m = r.receive()) != null) {
          sum += w.check(m);
          if (++n == count) {
            tEnd = System.nanoTime();
          }
        }
        expect(n, count, "fifochan messages received");
        Main.sink(sum);
        return tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      FifoReadChannel rc = Fifo.openReadChannel(in, RTT);
      try (Receiver<T> r = Receiver.over(rc, w.codec(), RTT);
          Sender<T> s = Sender.over(Fifo.openWriteChannel(out, RTT), w.codec(), RTT)) {
        int n = 0;
        T m;
        while ((m = r.receive()) != null) {
          s.send(m);
          n++;
        }
        expect(n, total, "fifochan echoes");
      }
    }

    @Override
    <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
      long[] rtt = new long[count];
      FifoWriteChannel wc = Fifo.openWriteChannel(out, RTT);
      try (Sender<T> s = Sender.over(wc, w.codec(), RTT);
          Receiver<T> r = Receiver.over(Fifo.openReadChannel(in, RTT), w.codec(), RTT)) {
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
   * Diagnostic: fifochan's Sender/Receiver over plain blocking JDK {@link FileChannel}s instead of the
   * FIFO transport's non-blocking channels (so no ppoll, no jnr-ffi); same configurations as
   * {@link Fifochan}. Shows what the transport's way of waiting costs.
   */
  static final class FifochanOverFileChannel extends Variant {
    FifochanOverFileChannel() {
      super("fifochan-filechannel");
    }

    @Override
    <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
      try (Sender<T> s = Sender.over(FileChannel.open(fifo, StandardOpenOption.WRITE), w.codec(), Fifochan.TPUT)) {
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
      try (Receiver<T> r = Receiver.over(FileChannel.open(fifo, StandardOpenOption.READ), w.codec(), Fifochan.TPUT)) {
        long n = 0;
        long sum = 0;
        long tEnd = 0;
        while (n < count) {
          T m = r.receive();
          if (m == null) {
            break;
          }
          sum += w.check(m);
          if (++n == count) {
            tEnd = System.nanoTime();
          }
        }
        expect(n, count, "fifochan-filechannel messages received");
        Main.sink(sum);
        return tEnd;
      }
    }

    @Override
    <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
      try (Receiver<T> r = Receiver.over(FileChannel.open(in, StandardOpenOption.READ), w.codec(), Fifochan.RTT);
          Sender<T> s = Sender.over(FileChannel.open(out, StandardOpenOption.WRITE), w.codec(), Fifochan.RTT)) {
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
      try (Sender<T> s = Sender.over(FileChannel.open(out, StandardOpenOption.WRITE), w.codec(), Fifochan.RTT);
          Receiver<T> r = Receiver.over(FileChannel.open(in, StandardOpenOption.READ), w.codec(), Fifochan.RTT)) {
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
