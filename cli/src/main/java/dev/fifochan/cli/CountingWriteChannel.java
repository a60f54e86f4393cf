package dev.fifochan.cli;

import dev.fifochan.WaitableChannel;
import dev.fifochan.fifo.FifoWriteChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * A FIFO write end that counts the bytes written, for progress and summaries. It stays a
 * {@link WaitableChannel}, so the sender keeps treating it as non-blocking (timed sends work).
 */
public final class CountingWriteChannel implements WritableByteChannel, WaitableChannel {
  private final FifoWriteChannel channel;
  private final LongAdder bytes = new LongAdder();

  /** Counts what goes through {@code channel}. */
  public CountingWriteChannel(FifoWriteChannel channel) {
    this.channel = channel;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = channel.write(src);
    bytes.add(n);
    return n;
  }

  @Override
  public boolean awaitReady(long timeoutNanos) throws IOException {
    return channel.awaitReady(timeoutNanos);
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Bytes written so far. */
  public long bytes() {
    return bytes.sum();
  }

  @Override
  public String toString() {
    return "FIFO " + channel.path();
  }
}
