package dev.fifochan.bench.jmh;

import dev.fifochan.Codecs;
import dev.fifochan.bench.FifochanApi;
import dev.fifochan.bench.FifochanApi.In;
import dev.fifochan.bench.FifochanApi.Out;
import dev.fifochan.bench.FifochanApi.Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost and allocation per {@code byte[]} message through the <b>public API only</b> (through
 * {@link FifochanApi}, the benchmark's one adapter to the API): {@code send} into a channel that
 * discards, and the handler receive ({@link In#poll}) from a channel that replays a stream the public
 * {@code Sender} wrote. Meant to be run with the GC profiler, which reports bytes allocated per
 * operation ({@code gc.alloc.rate.norm}); issue 14's target is 0 B/op for both:
 *
 * <pre>java -jar bench/target/benchmarks.jar ApiBench -prof gc</pre>
 *
 * <p>bench/run.sh runs it too (extra "jmh"). On the 0.1 API the handler receive is emulated with
 * {@code receive()}, so it allocates the {@code byte[]} it returns; the 1.0 port changes only
 * {@link FifochanApi} (its {@code In.poll} becomes {@code Receiver.poll(handler, limit, timeout)}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ApiBench {
  @Param({"100", "65536"})
  public int size;

  private byte[] payload;
  private Out<byte[]> sender;
  private In<byte[]> receiver;
  private final Sink sink = new Sink();

  /** The handler: hands each message to the blackhole. */
  static final class Sink implements FifochanApi.Handler<byte[]> {
    Blackhole bh;

    @Override
    public void onMessage(byte[] m) {
      bh.consume(m);
    }
  }

  @Setup
  public void setup() throws IOException {
    payload = new byte[size];
    new Random(1).nextBytes(payload);
    sender = FifochanApi.senderOver(new MemoryChannels.Discard(), Codecs.bytes(), Profile.THROUGHPUT);
    // A stream written by the public Sender: the bytes of n frames minus those of 2n give one
    // frame's length, which splits the stream into its head (preamble) and a body of whole frames.
    int n = Math.max(1, (1 << 20) / (size + 16));
    byte[] one = stream(n);
    byte[] two = stream(2 * n);
    int frames = two.length - one.length;
    int head = one.length - frames;
    receiver = FifochanApi.receiverOver(new MemoryChannels.Loop(Arrays.copyOf(one, head),
        Arrays.copyOfRange(one, head, one.length), 1 << 20), Codecs.bytes(), Profile.THROUGHPUT);
  }

  private byte[] stream(int frames) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Out<byte[]> s = FifochanApi.senderOver(Channels.newChannel(bytes), Codecs.bytes(), Profile.NO_FLUSHER);
    for (int i = 0; i < frames; i++) {
      s.send(payload);
    }
    s.flush(); // not close(): the stream must not end
    return bytes.toByteArray();
  }

  @TearDown
  public void tearDown() throws IOException {
    sender.close();
  }

  /** {@code send(byte[])} with the default configuration (50 µs flush delay). */
  @Benchmark
  public void send() throws IOException {
    sender.send(payload);
  }

  /** The handler receive, one message per call. */
  @Benchmark
  public int receiveHandler(Blackhole bh) throws IOException {
    sink.bh = bh;
    return receiver.poll(sink, 1);
  }
}
