package dev.fifochan.spi;

import dev.fifochan.ChannelConfig;
import dev.fifochan.internal.Buffers;
import dev.fifochan.internal.ByteStreamInspector;
import dev.fifochan.internal.ByteStreamSink;
import dev.fifochan.internal.ByteStreamSource;
import dev.fifochan.internal.SelectorChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The wire format over any byte channel: the {@link FrameSink}, {@link FrameSource} and
 * {@link StreamInspector} that byte-stream transports (FIFOs, pipes, files, sockets, standard input
 * and output) wrap.
 *
 * <p>How a channel waits decides what timeouts can do:
 * <ul>
 *   <li>a {@link WaitableChannel} (a transport's own) is used as it is: every wait honours the
 *       caller's deadline, {@code close()} from another thread and interrupts;</li>
 *   <li>a {@link SelectableChannel} (a {@link java.nio.channels.Pipe} end, a socket) is switched to
 *       non-blocking mode and waited on with a {@link java.nio.channels.Selector}: the same
 *       guarantees;</li>
 *   <li>any other channel is blocking: reads and writes block in the channel, so deadlines bound only
 *       the waits for a sender's or receiver's lock, and a sink writes every frame at once (no idle
 *       flushes that could block the shared scheduler).</li>
 * </ul>
 */
public final class ByteStreams {
  private ByteStreams() {}

  /**
   * A frame sink writing to {@code channel}; closing it closes the channel.
   *
   * @param config checksum, frame limit, buffer size, flush delay and wait strategy
   * @param atomicWriteLimit 0 for none; otherwise every write holds whole records only and at most
   *     this many bytes (at least 512), and a longer record is refused with
   *     {@link dev.fifochan.MessageTooLongException} ({@code ATOMIC_WRITE}): for several writers on
   *     one pipe (fan-in), where writes of at most {@code PIPE_BUF} bytes never interleave
   */
  public static FrameSink sink(WritableByteChannel channel, ChannelConfig config, int atomicWriteLimit) throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(config, "config");
    String description = channel.toString();
    WritableByteChannel c = channel instanceof SelectableChannel && !(channel instanceof WaitableChannel)
        ? SelectorChannel.forWriting((SelectableChannel) channel) : channel;
    return new ByteStreamSink(c, config, atomicWriteLimit, description);
  }

  /**
   * A frame source reading from {@code channel}; closing it closes the channel.
   *
   * @param config frame limit, buffer size and wait strategy
   * @param acceptsCodec which writer codec names to accept ({@code docs/wire-format.md} §2.7; a
   *     receiver passes its codec's {@link dev.fifochan.Codec#accepts}); null accepts every one
   */
  public static FrameSource source(ReadableByteChannel channel, ChannelConfig config, Predicate<String> acceptsCodec) throws IOException {
    return source(channel, config, acceptsCodec, null);
  }

  /** Like {@link #source(ReadableByteChannel, ChannelConfig, Predicate)}, naming the reader's codec in incompatibility errors. */
  public static FrameSource source(ReadableByteChannel channel, ChannelConfig config, Predicate<String> acceptsCodec,
      String readerCodecName) throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(config, "config");
    String description = channel.toString();
    ReadableByteChannel c = channel instanceof SelectableChannel && !(channel instanceof WaitableChannel)
        ? SelectorChannel.forReading((SelectableChannel) channel) : channel;
    return new ByteStreamSource(c, config, acceptsCodec, readerCodecName, description);
  }

  /**
   * Like {@link #source(ReadableByteChannel, ChannelConfig, Predicate, String)}, reading into
   * {@code buffer} instead of a buffer of its own: for a transport that reads one session after
   * another (a following FIFO reader) and so allocates one read buffer for all of them. The source
   * owns the buffer until it is closed (its contents are discarded when it starts); only then may the
   * next source take it. Records (their payloads) are views of it.
   *
   * @param buffer at least 4096 bytes; {@link #readBuffer(ChannelConfig)} makes a suitable one
   * @throws IllegalArgumentException if the buffer is smaller than 4096 bytes or read-only
   */
  public static FrameSource source(ReadableByteChannel channel, ChannelConfig config, Predicate<String> acceptsCodec,
      String readerCodecName, ByteBuffer buffer) throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.isReadOnly()) {
      throw new IllegalArgumentException("the read buffer must be writable");
    }
    String description = channel.toString();
    ReadableByteChannel c = channel instanceof SelectableChannel && !(channel instanceof WaitableChannel)
        ? SelectorChannel.forReading((SelectableChannel) channel) : channel;
    return new ByteStreamSource(c, config, acceptsCodec, readerCodecName, description, buffer);
  }

  /**
   * A read buffer as a source allocates for itself: direct, page-aligned, of
   * {@link ChannelConfig#bufferSize()} bytes, for
   * {@link #source(ReadableByteChannel, ChannelConfig, Predicate, String, ByteBuffer)}.
   */
  public static ByteBuffer readBuffer(ChannelConfig config) {
    return Buffers.pageAlignedDirect(config.bufferSize());
  }

  /**
   * An inspector of the stream on {@code channel} (blocking reads), accepting every codec (as a
   * {@code bytes} reader). It makes every check a receiver makes, reports malformed frames as records
   * with an error, and goes on after aborted ends (as a following reader does).
   *
   * @param maxFrameLength the largest payload accepted, in bytes
   */
  public static StreamInspector inspector(ReadableByteChannel channel, int maxFrameLength) {
    return inspector(channel, maxFrameLength, null);
  }

  /**
   * An inspector of the stream on {@code channel} (blocking reads) for a reader whose codec accepts
   * the writer codecs {@code acceptsCodec} accepts (null: all), as {@code fifochan inspect --codec}.
   */
  public static StreamInspector inspector(ReadableByteChannel channel, int maxFrameLength, Predicate<String> acceptsCodec) {
    return new ByteStreamInspector(Objects.requireNonNull(channel, "channel"), maxFrameLength, acceptsCodec);
  }
}
