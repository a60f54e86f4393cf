package dev.fifochan.cli;

import dev.fifochan.Deadline;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;

/**
 * A read channel that gives up when no byte arrives for a while: a watchdog thread closes the
 * channel underneath (which ends a blocked read or wait) and {@link #timedOut()} says why. Waits of
 * a waitable channel (a FIFO) pass through; for a blocking one (a file, a pipe on stdin) readiness
 * is the read itself. Counts the bytes read.
 */
final class IdleWatch implements ReadableByteChannel, WaitableChannel {
  private final ReadableByteChannel channel;
  private final WaitableChannel waitable;
  private final Thread watchdog;
  private volatile long lastActivity = System.nanoTime();
  private volatile long bytes;
  private volatile boolean timedOut;

  /** Watches {@code channel}; a null {@code timeout} means no limit. */
  IdleWatch(ReadableByteChannel channel, Duration timeout) {
    this.channel = channel;
    this.waitable = channel instanceof WaitableChannel ? (WaitableChannel) channel : null;
    if (timeout == null) {
      watchdog = null;
      return;
    }
    long limit = timeout.toNanos();
    watchdog = new Thread(new Runnable() {
      @Override
      public void run() {
        while (channel.isOpen()) {
          long idle = System.nanoTime() - lastActivity;
          if (idle >= limit) {
            timedOut = true;
            try {
              channel.close();
            } catch (IOException e) {
              // closing anyway
            }
            return;
          }
          try {
            Thread.sleep(Math.max(1, Math.min(50, (limit - idle) / 1_000_000)));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }, "fifochan-idle-watch");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = channel.read(dst);
    if (n != 0) {
      lastActivity = System.nanoTime();
      if (n > 0) {
        bytes += n;
      }
    }
    return n;
  }

  @Override
  public boolean awaitReady(Deadline deadline) throws IOException {
    return waitable == null || waitable.awaitReady(deadline);
  }

  @Override
  public void wakeup() {
    if (waitable != null) {
      waitable.wakeup();
    }
  }

  /** Whether the watchdog closed the channel. */
  boolean timedOut() {
    return timedOut;
  }

  /** Bytes read so far. */
  long bytes() {
    return bytes;
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    if (watchdog != null) {
      watchdog.interrupt();
    }
    channel.close();
  }
}
