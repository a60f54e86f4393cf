package dev.fifochan.bench.jmh;

import dev.fifochan.Codecs;
import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.MessageHandler;
import dev.fifochan.bench.FifochanApi;
import dev.fifochan.bench.FifochanApi.In;
import dev.fifochan.bench.FifochanApi.Out;
import dev.fifochan.bench.FifochanApi.Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * discards; the typed handler receive ({@code Receiver.poll(MessageHandler, limit, timeout)}, which
 * hands the handler the {@code byte[]} that {@code Codecs.bytes()} decodes) and the raw handler
 * receive ({@code Receiver.pollFrames(FrameHandler, ..)}, a view of the receive buffer) from a channel
 * that replays a stream the public {@code Sender} wrote. Meant to be run with the GC profiler, which
 * reports bytes allocated per operation ({@code gc.alloc.rate.norm}); issue 14's target is 0 B/op for
 * {@code send} and the zero-copy receive:
 *
 * <pre>java -jar bench/target/benchmarks.jar ApiBench -prof gc</pre>
 *
 * <p>bench/run.sh runs it too (extra "jmh"). The typed receive of a {@code byte[]} necessarily
 * allocates the array it hands over (size + 16 B): that is the codec's contract, not a leak.
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
  private In<byte[]> frameReceiver;
  private final Sink sink = new Sink();
  private final Frames frames = new Frames();

  /** The typed handler: hands each message to the blackhole. */
  static final class Sink implements MessageHandler<byte[]> {
    Blackhole bh;

    @Override
    public void onMessage(byte[] m, Headers headers) {
      bh.consume(m);
    }
  }

  /** The frame handler: hands each payload's length and last byte to the blackhole (reads in place). */
  static final class Frames implements FrameHandler {
    Blackhole bh;

    @Override
    public void onFrame(Frame f) {
      ByteBuffer p = f.payload();
      bh.consume(p.remaining());
      bh.consume(p.get(p.limit() - 1));
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
    frameReceiver = FifochanApi.receiverOver(new MemoryChannels.Loop(Arrays.copyOf(one, head),
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

  /** The typed handler receive ({@code poll(MessageHandler, 1, ..)}), one message per call. */
  @Benchmark
  public int receiveHandler(Blackhole bh) throws IOException {
    sink.bh = bh;
    return receiver.poll(sink, 1);
  }

  /** The raw zero-copy handler receive ({@code pollFrames(FrameHandler, 1, ..)}), one frame per call. */
  @Benchmark
  public int receiveFrames(Blackhole bh) throws IOException {
    frames.bh = bh;
    return frameReceiver.pollFrames(frames, 1);
  }
}
