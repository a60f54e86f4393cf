package dev.fifochan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending end of a typed channel: encodes each value with its {@link Codec} into a frame and
 * writes it to the transport.
 *
 * <p>Messages are coalesced in a buffer and written when it fills, on {@link #flush()}, on
 * {@link #close()}, and when the sender has been idle for {@link ChannelConfig#flushDelay()} (a
 * background flusher thread does that; with a zero delay every send is written at once). When the
 * pipe is full, {@link #send(Object)} blocks (back-pressure) and {@link #send(Object, Duration)}
 * gives up with {@link SendTimeoutException}.
 *
 * <p>Thread-safe: any thread may call any method; each message is written whole, in the order the
 * calls took the sender's lock. {@link #close()} waits for a send in progress. {@link #done()}
 * completes once every byte, including the end-of-stream frame, is in the pipe.
 *
 * @param <T> the type of the messages
 */
public final class Sender<T> implements AutoCloseable {
  private final Codec<T> codec;
  private final FrameWriter writer;
  private final String description;
  private final ReentrantLock lock = new ReentrantLock();
  private final long flushDelayNanos;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Thread flusher;

  private volatile boolean armed;
  /** Sends so far (guarded by the lock): the flusher compares it across delays to see idleness. */
  private long sends;
  private long sendsWhenArmed;
  private String lastTag;
  private byte[] lastTagBytes;
  private volatile boolean closed;
  private IOException failure;
  private boolean failureReported;

  private Sender(WritableByteChannel channel, Codec<T> codec, ChannelConfig config) throws IOException {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.writer = new FrameWriter(Objects.requireNonNull(channel, "channel"), config);
    this.description = channel.toString();
    this.flushDelayNanos = config.flushDelay().toNanos();
    writer.writePreamble(codec.name());
    try {
      if (!writer.drain(config.openTimeout().toNanos())) {
        throw new SendTimeoutException(config.openTimeout());
      }
    } catch (IOException e) {
      closeQuietly();
      done.completeExceptionally(e);
      throw e;
    }
    if (flushDelayNanos > 0) {
      flusher = new Thread(this::flushWhenIdle, "fifochan-flusher");
      flusher.setDaemon(true);
      flusher.start();
    } else {
      flusher = null;
    }
  }

  /**
   * A sender over any writable channel; it writes its preamble at once and closes the channel when
   * it closes.
   */
  public static <T> Sender<T> over(WritableByteChannel channel, Codec<T> codec, ChannelConfig config) throws IOException {
    return new Sender<>(channel, codec, config);
  }

  /**
   * Sends {@code message}, blocking while the pipe is full.
   *
   * @throws EncodeException if the codec fails (nothing sent; the sender stays usable)
   * @throws FrameTooLongException if the encoded message is too long (nothing sent)
   * @throws PeerClosedException if the reader is gone (the sender is closed)
   */
  public void send(T message) throws IOException {
    lock.lock();
    try {
      sendLocked(message, -1, null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends {@code message}, waiting at most {@code timeout} for room in the pipe.
   *
   * @throws SendTimeoutException if no room was found in time; the message was not sent
   */
  public void send(T message, Duration timeout) throws IOException {
    long deadline = Buffers.deadline(timeout.toNanos());
    try {
      if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SendTimeoutException(timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting to send");
    }
    try {
      long left = Buffers.remaining(deadline);
      sendLocked(message, left < 0 ? -1 : Math.max(1, left), timeout);
    } finally {
      lock.unlock();
    }
  }

  /** Writes every buffered message to the pipe, blocking while it is full. */
  public void flush() throws IOException {
    lock.lock();
    try {
      checkOpen();
      drainLocked(-1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Flushes, writes the end-of-stream frame and closes the transport; then {@link #done()}
   * completes. Idempotent. If the sender failed earlier and that failure was not yet thrown, it is
   * thrown here.
   */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        throwUnreported();
        return;
      }
      closed = true;
      if (flusher != null) {
        LockSupport.unpark(flusher);
      }
      if (failure != null) {
        closeQuietly();
        done.completeExceptionally(failure);
        throwUnreported();
        return;
      }
      try {
        writer.writeEndOfStream();
        drainLocked(-1);
        writer.close();
        done.complete(null);
      } catch (IOException e) {
        closeQuietly();
        done.completeExceptionally(e);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes normally when {@link #close()} has put every byte, including the end-of-stream frame,
   * into the pipe; completes exceptionally if the sender failed (e.g. with {@link PeerClosedException}).
   * The equivalent of the Go original's "done" channel.
   */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** Messages whose every byte is in the pipe (not necessarily read yet). */
  public long messagesWritten() {
    lock.lock();
    try {
      return writer.messagesWritten();
    } finally {
      lock.unlock();
    }
  }

  /** The codec this sender encodes with. */
  public Codec<T> codec() {
    return codec;
  }

  @Override
  public String toString() {
    return "Sender[" + description + ", codec=" + codec.name() + "]";
  }

  private void sendLocked(T message, long timeoutNanos, Duration timeout) throws IOException {
    checkOpen();
    Objects.requireNonNull(message, "message");
    String tag = codec.tagOf(message);
    byte[] tagBytes;
    if (tag.isEmpty()) {
      tagBytes = EMPTY;
    } else if (tag.equals(lastTag)) {
      tagBytes = lastTagBytes; // codecs usually return the same few tags: encode each once
    } else {
      tagBytes = tag.getBytes(StandardCharsets.UTF_8);
      lastTag = tag;
      lastTagBytes = tagBytes;
    }
    try {
      if (!writer.makeRoom(timeoutNanos)) {
        throw new SendTimeoutException(timeout);
      }
    } catch (PeerClosedException e) {
      throw peerGone(e);
    }
    sends++;
    OutputStream out = writer.beginFrame(tagBytes);
    try {
      codec.encode(message, out);
    } catch (FrameTooLongException e) {
      writer.abortFrame();
      throw e;
    } catch (IOException | RuntimeException e) {
      writer.abortFrame();
      if (e instanceof EncodeException) {
        throw (EncodeException) e;
      }
      throw new EncodeException("codec '" + codec.name() + "' failed to encode " + message.getClass().getName() + ": " + e.getMessage(), e);
    }
    boolean placed;
    try {
      placed = writer.endFrame(timeoutNanos);
    } catch (PeerClosedException e) {
      throw peerGone(e);
    }
    if (!placed) {
      throw new SendTimeoutException(timeout);
    }
    if (flushDelayNanos == 0) {
      drainLocked(-1);
    } else if (!armed && writer.hasPending()) {
      sendsWhenArmed = sends;
      armed = true;
      LockSupport.unpark(flusher);
    }
  }

  private void drainLocked(long timeoutNanos) throws IOException {
    try {
      writer.drain(timeoutNanos);
    } catch (PeerClosedException e) {
      throw peerGone(e);
    } catch (IOException e) {
      fail(e, true);
      throw e;
    }
  }

  private PeerClosedException peerGone(PeerClosedException cause) {
    PeerClosedException e = new PeerClosedException("the reader of " + description + " is gone; "
        + writer.messagesPending() + " accepted messages were not written", writer.messagesWritten(), cause);
    closed = true;
    fail(e, true);
    return e;
  }

  /** Records the failure that ends this sender; {@code reported}: it is being thrown to a caller now. */
  private void fail(IOException e, boolean reported) {
    failure = e;
    failureReported = reported;
    closeQuietly();
    done.completeExceptionally(e);
  }

  private void checkOpen() throws IOException {
    if (failure != null) {
      failureReported = true;
      throw failure;
    }
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  private void throwUnreported() throws IOException {
    if (failure != null && !failureReported) {
      failureReported = true;
      throw failure;
    }
  }

  private void closeQuietly() {
    try {
      writer.close();
    } catch (IOException ignored) {
      // already failing; the first error is the one reported
    }
  }

  /**
   * Body of the flusher thread: writes buffered messages once the sender has been idle for the flush
   * delay. While sends keep coming the sender writes each full buffer itself; the flusher then stays
   * out of its way (it never waits for the lock), except that it flushes anyway after
   * {@value #MAX_BUSY_DELAYS} delays, to bound the wait of a slow trickle of messages.
   */
  private void flushWhenIdle() {
    long seen = -1;
    int busyDelays = 0;
    while (!closed) {
      if (!armed) {
        LockSupport.park(this);
        seen = -1;
        busyDelays = 0;
        continue;
      }
      LockSupport.parkNanos(this, flushDelayNanos);
      if (!lock.tryLock()) {
        continue; // a send (or flush) is in progress: the sender is not idle
      }
      try {
        if (closed) {
          return;
        }
        if (seen < 0) {
          seen = sendsWhenArmed;
        }
        if (sends != seen && busyDelays < MAX_BUSY_DELAYS) {
          seen = sends;
          busyDelays++;
          continue;
        }
        seen = -1;
        busyDelays = 0;
        try {
          if (writer.drain(0) || !writer.hasPending()) {
            armed = false;
            continue;
          }
        } catch (PeerClosedException e) {
          peerGone(e);
          failureReported = false; // nobody saw it yet: the next call throws it
          return;
        } catch (IOException e) {
          fail(e, false);
          return;
        }
      } finally {
        lock.unlock();
      }
      // The pipe is full: wait for room without holding the lock, then try again.
      try {
        writer.awaitWritable(10_000_000L);
      } catch (IOException e) {
        // the next drain attempt reports it
      }
    }
  }

  private static final byte[] EMPTY = new byte[0];
  private static final int MAX_BUSY_DELAYS = 20;
}
