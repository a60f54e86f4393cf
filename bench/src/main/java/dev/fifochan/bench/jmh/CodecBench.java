package dev.fifochan.bench.jmh;

import dev.fifochan.Codec;
import dev.fifochan.bench.Workload;
import dev.fifochan.interop.Ping;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.protobuf.ProtobufCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Codec cost per message through the 1.0 codec SPI, as the sender and receiver pay it: encode into
 * a {@link dev.fifochan.PayloadSink} over a reused direct buffer ({@link BufferSink}: {@code room(n)}
 * hands out the buffer, {@code asOutputStream()} is one reused stream over it, as a sender's frame
 * buffer does); decode from a read-only direct buffer (the receive buffer) and, for comparison, from
 * a heap buffer.
 *
 * <p>bench/run.sh takes {@code protobufEncode}, {@code protobufDecodeDirect}, {@code jsonEncode} and
 * {@code jsonDecodeDirect} for the codec ceiling (1 / max(encode, decode)).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CodecBench {
  private final Codec<Ping> proto = ProtobufCodec.of(Ping.class);
  private final Codec<Workload.Quote> json = JsonCodec.of(Workload.Quote.class);
  private final Ping ping = Ping.newBuilder().setSeq(1_000_042).setText("ping-1000042").build();
  private final Workload.Quote quote = new Workload.Quote(1_000_042, "UMBRELLA", 812.37, 250, true);
  private final BufferSink out = new BufferSink(4096);
  private ByteBuffer protoDirect;
  private ByteBuffer protoHeap;
  private ByteBuffer jsonDirect;
  private ByteBuffer jsonHeap;

  @Setup
  public void setup() throws IOException {
    protoDirect = direct(ping.toByteArray());
    protoHeap = ByteBuffer.wrap(ping.toByteArray()).asReadOnlyBuffer();
    out.reset();
    json.encode(quote, out);
    out.reset();
    proto.encode(ping, out);
    if (!java.util.Arrays.equals(out.toByteArray(), ping.toByteArray())) {
      throw new IllegalStateException("protobuf encode into the sink differs from toByteArray()");
    }
    out.reset();
    json.encode(quote, out);
    jsonDirect = direct(out.toByteArray());
    jsonHeap = ByteBuffer.wrap(out.toByteArray());
  }

  private static ByteBuffer direct(byte[] b) {
    return ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer();
  }

  @Benchmark
  public int protobufEncode() throws IOException {
    out.reset();
    proto.encode(ping, out);
    return out.written();
  }

  @Benchmark
  public Ping protobufDecodeDirect() throws IOException {
    return proto.decode("fifochan.interop.Ping", protoDirect.duplicate());
  }

  @Benchmark
  public Ping protobufDecodeHeap() throws IOException {
    return proto.decode("fifochan.interop.Ping", protoHeap.duplicate());
  }

  @Benchmark
  public String protobufTagOf() {
    return proto.tagOf(ping);
  }

  @Benchmark
  public int jsonEncode() throws IOException {
    out.reset();
    json.encode(quote, out);
    return out.written();
  }

  @Benchmark
  public Workload.Quote jsonDecodeDirect() throws IOException {
    return json.decode("", jsonDirect.duplicate());
  }

  @Benchmark
  public Workload.Quote jsonDecodeHeap() throws IOException {
    return json.decode("", jsonHeap.duplicate());
  }
}
