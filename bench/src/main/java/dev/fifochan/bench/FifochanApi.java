package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoReadChannel;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every call that the cross-process benchmark makes on fifochan's public API, in one file, so that
 * moving the benchmark to another version of the API changes this file and nothing else.
 *
 * <p>This is the <b>0.1 API</b>: {@code Sender.over(Fifo.openWriteChannel(..))},
 * {@code Receiver.over(Fifo.openReadChannel(..))}, {@code receive()} one message at a time, no wait
 * strategies. The 1.0 port (docs/design-1.0.md §3) changes the places marked {@code PORT}:
 * <ul>
 *   <li>{@link #openSender}/{@link #openReceiver}: {@code Fifo.openSender(path, codec, config, fifoOptions)}
 *       and {@code Fifo.openReceiver(..)}; the pipe size moves from {@code ChannelConfig} to {@code FifoOptions};
 *   <li>{@link In#poll}: one call of {@code Receiver.poll(handler, limit, timeout)} (the handler receive,
 *       which hands {@code byte[]} payloads over without a per-message allocation where the codec allows);
 *   <li>{@link Profile#ROUND_TRIP_SPIN}: {@code ChannelConfig.waitStrategy(..)} with the spinning strategy;
 *   <li>{@link Out#send}: unchanged ({@code send(T)}); {@code offer(T)} is not used by the benchmark.
 * </ul>
 * Both wrappers are final classes with one implementation each, so the JIT inlines them.
 */
public final class FifochanApi {
  private FifochanApi() {}

  /** The configurations the benchmark uses. */
  public enum Profile {
    /** One-way throughput: the library's defaults (256 KiB buffer, 50 µs flush delay, 1 MiB pipe). */
    THROUGHPUT,
    /** Diagnostic: defaults, but a one-day flush delay, so the background flusher never drains. */
    NO_FLUSHER,
    /** Round trips: defaults with {@code flushDelay(ZERO)} (every send is written at once); default waiting. */
    ROUND_TRIP,
    /** Round trips with the spinning wait strategy of issue 14 (not in the 0.1 API). */
    ROUND_TRIP_SPIN;

    /** Why this profile cannot run on this API, or null if it can. */
    public String unsupported() {
      // PORT: the 1.0 API has ChannelConfig.waitStrategy(); return null for every profile then.
      return this == ROUND_TRIP_SPIN ? "the 0.1 API has no wait strategy (issue 14: spinning idle strategy)" : null;
    }

    ChannelConfig config() {
      ChannelConfig d = ChannelConfig.defaults();
      switch (this) {
        case NO_FLUSHER:
          return d.toBuilder().flushDelay(Duration.ofDays(1)).build();
        case ROUND_TRIP:
          return d.toBuilder().flushDelay(Duration.ZERO).build();
        case ROUND_TRIP_SPIN:
          // PORT: .waitStrategy(WaitStrategy.spinning()) or whatever the core names it.
          throw new UnsupportedOperationException(unsupported());
        default:
          return d;
      }
    }
  }

  /** Receives messages from {@link In#poll}. PORT: becomes (or adapts to) {@code dev.fifochan.MessageHandler<T>}. */
  public interface Handler<T> {
    void onMessage(T message);
  }

  /** A sender over the FIFO transport. PORT: {@code Fifo.openSender(fifo, codec, config, FifoOptions)}. */
  public static <T> Out<T> openSender(Path fifo, Codec<T> codec, Profile p) throws IOException {
    ChannelConfig c = p.config();
    return new Out<>(Sender.over(Fifo.openWriteChannel(fifo, c), codec, c));
  }

  /** A receiver over the FIFO transport. PORT: {@code Fifo.openReceiver(fifo, codec, config, FifoOptions)}. */
  public static <T> In<T> openReceiver(Path fifo, Codec<T> codec, Profile p) throws IOException {
    ChannelConfig c = p.config();
    FifoReadChannel ch = Fifo.openReadChannel(fifo, c);
    return new In<>(Receiver.over(ch, codec, c), ch.pipeSize());
  }

  /** A sender over any writable byte channel (diagnostics, JMH). */
  public static <T> Out<T> senderOver(WritableByteChannel ch, Codec<T> codec, Profile p) throws IOException {
    return new Out<>(Sender.over(ch, codec, p.config()));
  }

  /** A receiver over any readable byte channel (diagnostics, JMH). */
  public static <T> In<T> receiverOver(ReadableByteChannel ch, Codec<T> codec, Profile p) {
    return new In<>(Receiver.over(ch, codec, p.config()), 0);
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
    private final int pipeSize;

    In(Receiver<T> r, int pipeSize) {
      this.r = r;
      this.pipeSize = pipeSize;
    }

    /**
     * Hands up to {@code limit} messages to {@code handler}, waiting for the first one.
     *
     * @return how many were handed over, or -1 at the clean end of the stream
     */
    public int poll(Handler<? super T> handler, int limit) throws IOException {
      // PORT: return r.poll(handler, limit, <no timeout>);  (1.0: count, 0 on timeout, -1 at end)
      int n = 0;
      while (n < limit) {
        T m = r.receive();
        if (m == null) {
          return n == 0 ? -1 : n;
        }
        handler.onMessage(m);
        n++;
      }
      return n;
    }

    /** The next message, waiting for it; null at the clean end of the stream (round trips). */
    public T receive() throws IOException {
      return r.receive();
    }

    /** The pipe size the transport reported (0 if not a FIFO). */
    public int pipeSize() {
      return pipeSize;
    }

    @Override
    public void close() throws IOException {
      r.close();
    }
  }
}
