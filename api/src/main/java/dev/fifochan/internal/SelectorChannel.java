package dev.fifochan.internal;

import dev.fifochan.Deadline;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SelectableChannel} (a {@link java.nio.channels.Pipe} end, a socket) as a
 * {@link WaitableChannel}: switched to non-blocking mode, waiting with its own {@link Selector}.
 * Reads and writes return 0 instead of blocking; {@link #close()} from any thread wakes a waiter.
 */
public final class SelectorChannel implements WaitableChannel, ReadableByteChannel, WritableByteChannel {
  private final SelectableChannel channel;
  private final ReadableByteChannel readable;
  private final WritableByteChannel writable;
  private final Selector selector;
  private volatile boolean closed;

  private SelectorChannel(SelectableChannel channel, int op) throws IOException {
    this.channel = channel;
    this.readable = op == SelectionKey.OP_READ ? (ReadableByteChannel) channel : null;
    this.writable = op == SelectionKey.OP_WRITE ? (WritableByteChannel) channel : null;
    channel.configureBlocking(false);
    this.selector = Selector.open();
    channel.register(selector, op);
  }

  /** Waits for {@code channel} to become readable. */
  public static SelectorChannel forReading(SelectableChannel channel) throws IOException {
    return new SelectorChannel(channel, SelectionKey.OP_READ);
  }

  /** Waits for {@code channel} to become writable. */
  public static SelectorChannel forWriting(SelectableChannel channel) throws IOException {
    return new SelectorChannel(channel, SelectionKey.OP_WRITE);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (readable == null) {
      throw new UnsupportedOperationException("a write channel");
    }
    return readable.read(dst);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (writable == null) {
      throw new UnsupportedOperationException("a read channel");
    }
    return writable.write(src);
  }

  @Override
  public boolean awaitReady(Deadline deadline) throws IOException {
    if (closed || !channel.isOpen()) {
      throw new ClosedChannelException();
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting");
    }
    long nanos = deadline.remainingNanos();
    if (nanos == 0) {
      return false;
    }
    int n;
    try {
      if (nanos == Long.MAX_VALUE) {
        n = selector.select();
      } else {
        n = selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
      }
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException e) {
      throw new AsynchronousCloseException();
    }
    if (closed || !channel.isOpen()) {
      throw new AsynchronousCloseException();
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting");
    }
    return n > 0;
  }

  @Override
  public void wakeup() {
    try {
      selector.wakeup();
    } catch (ClosedSelectorException e) {
      // closed: nobody waits
    }
  }

  @Override
  public boolean isOpen() {
    return !closed && channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    try {
      selector.wakeup();
      channel.close();
    } finally {
      selector.close();
    }
  }

  @Override
  public String toString() {
    return channel.toString();
  }
}
