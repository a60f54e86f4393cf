package dev.fifochan;

import dev.fifochan.spi.WaitableChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory, non-blocking write channel with a capacity, for tests of buffering and counting:
 * writes take at most {@code chunk} bytes and at most the free capacity, and return 0 when full;
 * {@link #take()} empties it as a reader would. Records every write's size.
 */
final class MemoryPipe implements WritableByteChannel, WaitableChannel {
  private final int capacity;
  private final int chunk;
  private final ByteArrayOutputStream all = new ByteArrayOutputStream();
  private final List<Integer> writes = new ArrayList<>();
  private int held;
  private boolean open = true;
  private long wakeups;

  MemoryPipe(int capacity, int chunk) {
    this.capacity = capacity;
    this.chunk = chunk;
  }

  /** A pipe that takes everything at once. */
  static MemoryPipe unbounded() {
    return new MemoryPipe(Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  @Override
  public synchronized int write(ByteBuffer src) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    int n = Math.min(src.remaining(), Math.min(chunk, capacity - held));
    if (n <= 0) {
      return 0;
    }
    byte[] b = new byte[n];
    src.get(b);
    all.write(b, 0, n);
    held += n;
    writes.add(n);
    return n;
  }

  /** Empties the pipe as a reader would; returns the number of bytes it held. */
  synchronized int take() {
    int n = held;
    held = 0;
    notifyAll();
    return n;
  }

  /** Every byte ever written. */
  synchronized byte[] bytes() {
    return all.toByteArray();
  }

  synchronized List<Integer> writes() {
    return new ArrayList<>(writes);
  }

  synchronized int held() {
    return held;
  }

  @Override
  public synchronized boolean awaitReady(Deadline deadline) throws IOException {
    long seen = wakeups;
    while (open && held >= capacity && wakeups == seen) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted");
      }
      long left = deadline.remainingNanos();
      if (left == 0) {
        return false;
      }
      try {
        if (left == Long.MAX_VALUE) {
          wait();
        } else {
          wait(Math.max(1, left / 1_000_000), 0);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
    if (!open) {
      throw new AsynchronousCloseException();
    }
    return held < capacity;
  }

  @Override
  public synchronized void wakeup() {
    wakeups++;
    notifyAll();
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void close() {
    open = false;
    notifyAll();
  }
}
