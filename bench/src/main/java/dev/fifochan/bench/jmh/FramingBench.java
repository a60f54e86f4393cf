package dev.fifochan.bench.jmh;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.FrameReader;
import dev.fifochan.FrameWriter;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.WireRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.time.Duration;
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
 * The in-process cost of framing, without any pipe: {@link FrameWriter} and {@link Sender} into a
 * channel that discards, {@link FrameReader} and {@link Receiver} from a channel that replays a
 * prepared stream. Average time per message.
 *
 * <p>PORT: {@code FrameWriter}, {@code FrameReader} and {@code WireRecord} are 0.1 classes that 1.0
 * moves into {@code dev.fifochan.internal} (not exported): point {@code frameWriter}/{@code frameReader}
 * at {@code FrameEncoder}/{@code FrameDecoder} if they stay reachable (the bench is on the class path),
 * else drop them; {@code senderSend}/{@code receiverReceive} are covered through the public API by
 * {@link ApiBench}.
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

  private byte[] payload;
  private FrameWriter writer;
  private Sender<byte[]> sender;
  private Sender<byte[]> senderNoFlusher;
  private FrameReader reader;
  private Receiver<byte[]> receiver;
  private static final byte[] NO_TAG = new byte[0];

  @Setup
  public void setup() throws IOException {
    payload = new byte[size];
    new Random(1).nextBytes(payload);
    ChannelConfig config = ChannelConfig.defaults();
    writer = new FrameWriter(new MemoryChannels.Discard(), config);
    writer.writePreamble("bytes");
    sender = Sender.over(new MemoryChannels.Discard(), Codecs.bytes(), config);
    senderNoFlusher = Sender.over(new MemoryChannels.Discard(), Codecs.bytes(),
        config.toBuilder().flushDelay(Duration.ofDays(1)).build());

    // A stream: one preamble, then a body of whole frames repeated for ever.
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    FrameWriter hw = new FrameWriter(Channels.newChannel(head), config);
    hw.writePreamble("bytes");
    hw.drain(-1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    FrameWriter bw = new FrameWriter(Channels.newChannel(body), config);
    int frames = Math.max(1, (1 << 20) / (size + 6));
    for (int i = 0; i < frames; i++) {
      OutputStream o = bw.beginFrame(NO_TAG);
      o.write(payload);
      bw.endFrame(-1);
    }
    bw.drain(-1);
    reader = new FrameReader(new MemoryChannels.Loop(head.toByteArray(), body.toByteArray(), 1 << 20), config);
    receiver = Receiver.over(new MemoryChannels.Loop(head.toByteArray(), body.toByteArray(), 1 << 20), Codecs.bytes(), config);
  }

  @TearDown
  public void tearDown() throws IOException {
    sender.close();
    senderNoFlusher.close();
  }

  /** FrameWriter alone: begin, copy the payload, end (drains itself when its 256 KiB buffer is full). */
  @Benchmark
  public boolean frameWriter() throws IOException {
    OutputStream o = writer.beginFrame(NO_TAG);
    o.write(payload);
    return writer.endFrame(-1);
  }

  /** Sender.send with the default 50 µs flush delay (its flusher thread drains in the background). */
  @Benchmark
  public void senderSend() throws IOException {
    sender.send(payload);
  }

  /** Sender.send with the flusher effectively off (drains only when the buffer is full). */
  @Benchmark
  public void senderSendNoFlusher() throws IOException {
    senderNoFlusher.send(payload);
  }

  /** FrameReader.next alone (no decode). */
  @Benchmark
  public int frameReader() throws IOException {
    WireRecord r = reader.next();
    return r.length();
  }

  /** Receiver.receive: FrameReader + lock + bytes codec (copies the payload into a new byte[]). */
  @Benchmark
  public byte[] receiverReceive() throws IOException {
    return receiver.receive();
  }
}
