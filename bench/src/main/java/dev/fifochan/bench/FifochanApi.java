package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.FrameHandler;
import dev.fifochan.MessageHandler;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.WaitStrategy;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every call that the cross-process benchmark and {@code ApiBench} make on fifochan's public API, in
 * one file, so that moving the benchmark to another version of the API changes this file and nothing
 * else (request/response lives in {@link RpcVariant}, which uses {@code dev.fifochan.rpc} directly).
 *
 * <p>This is the <b>1.0 API</b> (docs/design-1.0.md §3): {@code Fifo.openSender/openReceiver(path,
 * codec, config, FifoOptions)} (the pipe size is a {@link FifoOptions} setting), {@code send(T)}, the
 * handler receive {@code Receiver.poll(MessageHandler, limit, timeout)} (decoded messages with their
 * headers), the raw zero-copy receive {@code Receiver.pollFrames(FrameHandler, limit, timeout)}, and
 * {@link WaitStrategy#spinning} for the spinning profile. Both wrappers are final classes with one
 * implementation each, so the JIT inlines them.
 */
public final class FifochanApi {
  private FifochanApi() {}

  /** The spinning wait of {@link Profile#ROUND_TRIP_SPIN}: busy-spin 1 ms, then yield 1 ms, then park. */
  public static final WaitStrategy SPIN = WaitStrategy.spinning(Duration.ofMillis(1), Duration.ofMillis(1));

  /** "No limit" for {@code poll}: the deadline saturates (about 146 years). */
  static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

  /** The FIFO options of every fifochan end: the defaults (1 MiB pipe requested), the FIFO made by the harness. */
  static final FifoOptions FIFO_OPTIONS = FifoOptions.builder().pipeSize(Main.PIPE_SIZE).createIfMissing(false).build();

  /** The configurations the benchmark uses. */
  public enum Profile {
    /** One-way throughput: the library's defaults (256 KiB buffer, 50 µs flush delay, park). */
    THROUGHPUT,
    /** Diagnostic: defaults, but a one-day flush delay, so the background flusher never drains. */
    NO_FLUSHER,
    /** Round trips: defaults with {@code flushDelay(ZERO)} (every send is written at once); default waiting (park). */
    ROUND_TRIP,
    /** Round trips with {@code flushDelay(ZERO)} and the spinning wait strategy ({@link #SPIN}). */
    ROUND_TRIP_SPIN;

    /** Why this profile cannot run on this API, or null if it can (all can on 1.0). */
    public String unsupported() {
      return null;
    }

    /** The channel configuration of this profile. */
    public ChannelConfig config() {
      ChannelConfig d = ChannelConfig.defaults();
      switch (this) {
        case NO_FLUSHER:
          return d.toBuilder().flushDelay(Duration.ofDays(1)).build();
        case ROUND_TRIP:
          return d.toBuilder().flushDelay(Duration.ZERO).build();
        case ROUND_TRIP_SPIN:
          return d.toBuilder().flushDelay(Duration.ZERO).waitStrategy(SPIN).build();
        default:
          return d;
      }
    }

    /** Whether this profile busy-waits (then it is not run with both processes on one CPU). */
    public boolean spins() {
      return this == ROUND_TRIP_SPIN;
    }
  }

  /** A sender over the FIFO transport: {@code Fifo.openSender(fifo, codec, config, FifoOptions)}. */
  public static <T> Out<T> openSender(Path fifo, Codec<T> codec, Profile p) throws IOException {
    return new Out<>(Fifo.openSender(fifo, codec, p.config(), FIFO_OPTIONS));
  }

  /** A receiver over the FIFO transport: {@code Fifo.openReceiver(fifo, codec, config, FifoOptions)}. */
  public static <T> In<T> openReceiver(Path fifo, Codec<T> codec, Profile p) throws IOException {
    return new In<>(Fifo.openReceiver(fifo, codec, p.config(), FIFO_OPTIONS), fifo);
  }

  /** A sender over any writable byte channel (diagnostics, JMH). */
  public static <T> Out<T> senderOver(WritableByteChannel ch, Codec<T> codec, Profile p) throws IOException {
    return new Out<>(Sender.over(ch, codec, p.config()));
  }

  /** A receiver over any readable byte channel (diagnostics, JMH). */
  public static <T> In<T> receiverOver(ReadableByteChannel ch, Codec<T> codec, Profile p) throws IOException {
    return new In<>(Receiver.over(ch, codec, p.config()), null);
  }

  /** The sending end. */
  public static final class Out<T> implements AutoCloseable {
    private final Sender<T> s;

    Out(Sender<T> s) {
      this.s = s;
    }

    public void send(T message) throws IOException {
      s.send(message);
    }

    public void flush() throws IOException {
      s.flush();
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }

  /** The receiving end. */
  public static final class In<T> implements AutoCloseable {
    private final Receiver<T> r;
    private final Path fifo;

    In(Receiver<T> r, Path fifo) {
      this.r = r;
      this.fifo = fifo;
    }

    /**
     * The handler receive: hands up to {@code limit} decoded messages to {@code handler}, waiting
     * without limit for the first one ({@code Receiver.poll}).
     *
     * @return how many were handed over, or -1 at the clean end of the stream
     */
    public int poll(MessageHandler<? super T> handler, int limit) throws IOException {
      return r.poll(handler, limit, FOREVER);
    }

    /**
     * The raw zero-copy receive: hands up to {@code limit} frames (views of the receive buffer) to
     * {@code handler}, waiting without limit for the first one ({@code Receiver.pollFrames}).
     *
     * @return how many were handed over, or -1 at the clean end of the stream
     */
    public int pollFrames(FrameHandler handler, int limit) throws IOException {
      return r.pollFrames(handler, limit, FOREVER);
    }

    /** The next message, waiting for it; null at the clean end of the stream (round trips). */
    public T receive() throws IOException {
      return r.receive();
    }

    /**
     * The pipe size of the FIFO as the kernel reports it (0 if not a FIFO). 1.0's {@code Receiver}
     * does not expose its channel, so this opens the FIFO once more read-write and non-blocking
     * ({@link PipeHold}, which never reads) and asks {@code F_GETPIPE_SZ}; the size belongs to the
     * pipe, not to a descriptor.
     */
    public int pipeSize() {
      if (fifo == null) {
        return 0;
      }
      try (PipeHold h = PipeHold.query(fifo)) {
        return h.pipeSize;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    @Override
    public void close() throws IOException {
      r.close();
    }
  }
}
