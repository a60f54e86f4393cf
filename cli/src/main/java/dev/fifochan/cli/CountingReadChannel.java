package dev.fifochan.cli;

import dev.fifochan.WaitableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * A read channel that counts the bytes read, for progress and summaries. If the channel it wraps is
 * a {@link WaitableChannel} it stays one (timed receives and asynchronous close keep working).
 */
public final class CountingReadChannel implements ReadableByteChannel, WaitableChannel {
  private final ReadableByteChannel channel;
  private final LongAdder bytes;
  private final String name;

  /**
   * Counts what comes through {@code channel} into {@code bytes} (shared across writers in follow
   * mode); {@code name} (e.g. "FIFO /tmp/f") names it in messages.
   */
  public CountingReadChannel(ReadableByteChannel channel, LongAdder bytes, String name) {
    if (!(channel instanceof WaitableChannel)) {
      throw new IllegalArgumentException("not a waitable channel: " + channel);
    }
    this.channel = channel;
    this.bytes = bytes;
    this.name = name;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = channel.read(dst);
    if (n > 0) {
      bytes.add(n);
    }
    return n;
  }

  @Override
  public boolean awaitReady(long timeoutNanos) throws IOException {
    return ((WaitableChannel) channel).awaitReady(timeoutNanos);
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
