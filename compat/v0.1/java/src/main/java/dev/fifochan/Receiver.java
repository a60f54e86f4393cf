package dev.fifochan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The receiving end of a typed channel: reads frames from the transport and decodes them with its
 * {@link Codec}.
 *
 * <p>{@link #receive()} blocks for the next message and returns {@code null} at a clean end of
 * stream; {@link #poll(Duration)} waits at most a given time. Iteration and {@link #stream()} end
 * at a clean end of stream and throw {@link UncheckedIOException} at an unclean one. A frame that
 * cannot be decoded is thrown as {@link DecodeException} (or handed to the configured
 * {@link DeadLetterHandler}) and the receiver goes on with the next frame. A framing failure
 * ({@link TruncatedStreamException}, {@link CorruptFrameException}, ...) ends the stream, except in
 * follow mode, where it is thrown once and the receiver then reads from the next writer.
 *
 * <p>Thread-safe: concurrent callers each get distinct messages. {@link #close()} may be called from
 * any thread and wakes a blocked receive, which then throws
 * {@link java.nio.channels.AsynchronousCloseException}.
 *
 * @param <T> the type of the messages
 */
public final class Receiver<T> implements AutoCloseable, Iterable<T> {
  private final Codec<T> codec;
  private final ChannelConfig config;
  private final SourceOpener opener;
  private final DeadLetterHandler deadLetters;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile ReadableByteChannel channel;
  private FrameReader reader;
  private volatile boolean closed;
  private boolean ended;
  private boolean needReopen;
  private long received;

  private Receiver(ReadableByteChannel channel, SourceOpener opener, Codec<T> codec, ChannelConfig config,
      DeadLetterHandler deadLetters) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.config = Objects.requireNonNull(config, "config");
    this.opener = opener;
    this.deadLetters = deadLetters;
    this.channel = channel;
    this.reader = channel == null ? null : newReader(channel);
  }

  /** A receiver of one stream over any readable channel; it closes the channel when it closes. */
  public static <T> Receiver<T> over(ReadableByteChannel channel, Codec<T> codec, ChannelConfig config) {
    return new Receiver<>(Objects.requireNonNull(channel, "channel"), null, codec, config, null);
  }

  /** Like {@link #over(ReadableByteChannel, Codec, ChannelConfig)}, handing undecodable frames to {@code deadLetters}. */
  public static <T> Receiver<T> over(ReadableByteChannel channel, Codec<T> codec, ChannelConfig config,
      DeadLetterHandler deadLetters) {
    return new Receiver<>(Objects.requireNonNull(channel, "channel"), null, codec, config, deadLetters);
  }

  /**
   * A receiver that follows a transport across writers: after one writer's stream ends (cleanly or
   * not) it opens the next with {@code opener}. It ends only when closed.
   */
  public static <T> Receiver<T> following(SourceOpener opener, Codec<T> codec, ChannelConfig config) {
    return new Receiver<>(null, Objects.requireNonNull(opener, "opener"), codec, config, null);
  }

  /** Like {@link #following(SourceOpener, Codec, ChannelConfig)}, handing undecodable frames to {@code deadLetters}. */
  public static <T> Receiver<T> following(SourceOpener opener, Codec<T> codec, ChannelConfig config,
      DeadLetterHandler deadLetters) {
    return new Receiver<>(null, Objects.requireNonNull(opener, "opener"), codec, config, deadLetters);
  }

  /**
   * Returns the next message, blocking until one arrives.
   *
   * @return the message, or {@code null} at a clean end of stream
   * @throws DecodeException if the next frame cannot be decoded (the receiver stays usable)
   * @throws StreamException if the stream is truncated, corrupt or incompatible
   */
  public T receive() throws IOException {
    return next(-1);
  }

  /**
   * Returns the next message, waiting at most {@code timeout}.
   *
   * @return the message, or {@code null} if none arrived in time or the stream ended ({@link #isEnded()})
   */
  public T poll(Duration timeout) throws IOException {
    return next(Math.max(0, timeout.toNanos()));
  }

  /** Whether the stream ended cleanly (a following receiver never ends). */
  public boolean isEnded() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Messages returned so far. */
  public long messagesReceived() {
    lock.lock();
    try {
      return received;
    } finally {
      lock.unlock();
    }
  }

  /** The codec this receiver decodes with. */
  public Codec<T> codec() {
    return codec;
  }

  /**
   * Iterates until a clean end of stream; failures surface as {@link UncheckedIOException} whose
   * cause is the fifochan exception.
   */
  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private T next;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        if (done) {
          return false;
        }
        try {
          next = receive();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (next == null) {
          done = true;
        }
        return next != null;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException("end of stream");
        }
        T t = next;
        next = null;
        return t;
      }
    };
  }

  /** The messages as a sequential stream that ends at a clean end of stream. */
  public Stream<T> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** Closes the transport; a receive blocked in another thread is woken. Idempotent. */
  @Override
  public void close() throws IOException {
    closed = true;
    IOException first = null;
    try {
      if (opener != null) {
        opener.close();
      }
    } catch (IOException e) {
      first = e;
    }
    ReadableByteChannel c = channel;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "Receiver[" + channel + ", codec=" + codec.name() + "]";
  }

  private T next(long timeoutNanos) throws IOException {
    lock.lock();
    try {
      long deadline = Buffers.deadline(timeoutNanos);
      while (true) {
        if (closed) {
          throw new ClosedChannelException();
        }
        if (ended) {
          return null;
        }
        if ((reader == null || needReopen) && !reopen(deadline)) {
          return null;
        }
        WireRecord r;
        try {
          r = reader.next(Buffers.remaining(deadline));
        } catch (StreamException e) {
          if (opener != null && !closed) {
            needReopen = true;
          }
          throw e;
        }
        if (r == null) {
          return null;
        }
        switch (r.kind()) {
          case FRAME:
            T value = decode(r);
            if (value != null) {
              received++;
              return value;
            }
            break;
          case END:
            if (opener == null) {
              ended = true;
              return null;
            }
            needReopen = true;
            break;
          default:
            break;
        }
        if (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline) {
          return null;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private T decode(WireRecord r) throws IOException {
    ByteBuffer payload = r.payload();
    T value;
    try {
      value = codec.decode(r.tag(), payload);
      if (value == null) {
        throw new IllegalStateException("codec returned null");
      }
    } catch (UnknownTypeException e) {
      return undecodable(new UnknownTypeException(r.tag(), e.payload(), r.offset()));
    } catch (DecodeException e) {
      return undecodable(new DecodeException(stripOffset(e.getMessage()), r.tag(), copy(r), r.offset(), e.getCause()));
    } catch (IOException | RuntimeException e) {
      return undecodable(new DecodeException("codec '" + codec.name() + "' failed to decode: " + e, r.tag(), copy(r), r.offset(), e));
    }
    return value;
  }

  private T undecodable(DecodeException e) throws DecodeException {
    if (deadLetters == null) {
      throw e;
    }
    deadLetters.onUndecodable(e);
    return null;
  }

  private static byte[] copy(WireRecord r) {
    ByteBuffer p = r.payload().duplicate();
    p.position(p.limit() - r.length());
    byte[] bytes = new byte[r.length()];
    p.get(bytes);
    return bytes;
  }

  /** The codec's own words, without the tag/size and offset suffixes the new exception adds again. */
  private static String stripOffset(String message) {
    int i = message.indexOf(" [tag '");
    if (i < 0) {
      i = message.lastIndexOf(" (at stream offset ");
    }
    return i < 0 ? message : message.substring(0, i);
  }

  /** Opens the next writer's channel; false if none arrived before the deadline. */
  private boolean reopen(long deadline) throws IOException {
    if (opener == null) {
      throw new IllegalStateException("no opener");
    }
    ReadableByteChannel previous = channel;
    if (previous != null && needReopen && reader != null) {
      // A failed stream: skip the rest of that writer's bytes up to its end of file.
      try {
        if (!reader.drainToEndOfFile(deadline)) {
          return false;
        }
      } catch (IOException ignored) {
        // the channel is replaced below either way
      }
    }
    ReadableByteChannel next = opener.open(Buffers.remaining(deadline));
    if (next == null) {
      return false;
    }
    channel = next;
    reader = newReader(next);
    needReopen = false;
    if (previous != null) {
      previous.close();
    }
    if (closed) {
      next.close();
      throw new ClosedChannelException();
    }
    return true;
  }

  /** A reader of {@code c}; a following receiver's next session reuses the last one's buffer. */
  private FrameReader newReader(ReadableByteChannel c) {
    if (reader != null) {
      return new FrameReader(c, config.maxFrameLength(), reader.buffer(), codec::accepts);
    }
    return new FrameReader(c, config.maxFrameLength(), config.bufferSize(), codec::accepts);
  }
}
