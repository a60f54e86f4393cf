package dev.fifochan.bench.jmh;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.PayloadSink;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.time.Duration;
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

/**
 * The in-process cost of framing, without any pipe, through public interfaces only: the byte-stream
 * {@link FrameSink}/{@link FrameSource} of the transport SPI ({@link ByteStreams}, what every byte
 * stream transport uses under {@code Sender}/{@code Receiver}) into a channel that discards and from a
 * channel that replays a prepared stream, and {@link Sender#send}/{@link Receiver#receive} on top of
 * them. Average time per message.
 *
 * <p>(0.1's {@code FrameWriter}/{@code FrameReader} became internal in 1.0; {@code frameSink} and
 * {@code frameSource} measure the same layer through the SPI.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FramingBench {
  @Param({"100", "65536"})
  public int size;

  private static final byte[] NO_TAG = new byte[0];
  private byte[] payload;
  private FrameSink sink;
  private Sender<byte[]> sender;
  private Sender<byte[]> senderNoFlusher;
  private FrameSource source;
  private Receiver<byte[]> receiver;

  @Setup
  public void setup() throws IOException {
    payload = new byte[size];
    new Random(1).nextBytes(payload);
    ChannelConfig config = ChannelConfig.defaults();
    ChannelConfig noFlusher = config.toBuilder().flushDelay(Duration.ofDays(1)).build();
    sink = ByteStreams.sink(new MemoryChannels.Discard(), noFlusher, 0);
    sink.start("bytes", WireVersion.V1_1);
    sender = Sender.over(new MemoryChannels.Discard(), Codecs.bytes(), config);
    senderNoFlusher = Sender.over(new MemoryChannels.Discard(), Codecs.bytes(), noFlusher);

    // A stream written by the public Sender: the bytes of n frames minus those of 2n give one
    // frame's length, which splits the stream into its head (preamble) and a body of whole frames.
    int n = Math.max(1, (1 << 20) / (size + 16));
    byte[] one = stream(n, noFlusher);
    byte[] two = stream(2 * n, noFlusher);
    int frames = two.length - one.length;
    int head = one.length - frames;
    byte[] h = Arrays.copyOf(one, head);
    byte[] body = Arrays.copyOfRange(one, head, one.length);
    source = ByteStreams.source(new MemoryChannels.Loop(h, body, 1 << 20), config, null);
    receiver = Receiver.over(new MemoryChannels.Loop(h, body, 1 << 20), Codecs.bytes(), config);
  }

  private byte[] stream(int frames, ChannelConfig config) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Sender<byte[]> s = Sender.over(Channels.newChannel(bytes), Codecs.bytes(), config);
    for (int i = 0; i < frames; i++) {
      s.send(payload);
    }
    s.flush(); // not close(): the stream must not end
    return bytes.toByteArray();
  }

  @TearDown
  public void tearDown() throws IOException {
    sender.close();
    senderNoFlusher.close();
  }

  /** The frame sink alone: begin, copy the payload, commit (it drains itself when its 256 KiB buffer is full). */
  @Benchmark
  public Object frameSink() throws IOException {
    PayloadSink p = sink.beginFrame(NO_TAG, Headers.empty());
    p.write(payload, 0, payload.length);
    return sink.commitFrame(Deadline.none());
  }

  /** Sender.send with the default 50 µs flush delay (its flusher drains in the background). */
  @Benchmark
  public void senderSend() throws IOException {
    sender.send(payload);
  }

  /** Sender.send with the flusher effectively off (drains only when the buffer is full). */
  @Benchmark
  public void senderSendNoFlusher() throws IOException {
    senderNoFlusher.send(payload);
  }

  /** The frame source alone: the next record (no decode, no lock). */
  @Benchmark
  public int frameSource() throws IOException {
    InboundRecord r;
    do {
      r = source.next(Deadline.none());
      source.delivered(r);
    } while (r.kind() != InboundRecord.Kind.FRAME);
    return r.payload().remaining();
  }

  /** Receiver.receive: the source + lock + bytes codec (copies the payload into a new byte[]). */
  @Benchmark
  public byte[] receiverReceive() throws IOException {
    return receiver.receive();
  }
}
