package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * The read end of a FIFO as a non-blocking {@link ReadableByteChannel}: {@link #read} is one
 * {@code read(2)} that returns 0 when no bytes are there yet and -1 at end of file (no writer left
 * and the pipe empty); {@link #awaitReady(long)} waits for bytes or end of file.
 *
 * <p><b>The read end is open when the first writer's first byte arrives</b> (or when a writer came
 * and left without writing, which then reads as end of file): {@link #connect()} opens the
 * descriptor at once (O_NONBLOCK never waits for a reader) and then polls until that happens or the
 * open timeout runs out. Without that wait a non-blocking read before any writer came would report a
 * false end of file.
 *
 * <p>One thread reads at a time; {@link #close()} and {@link #awaitReady} may be called from any
 * thread. Obtain one from {@link Fifo#openReadChannel}, or {@link #unconnected} then {@link #connect()}
 * when another thread must be able to cancel the open by closing the channel.
 */
public final class FifoReadChannel extends FifoEnd implements ReadableByteChannel {
  private final IntConsumer onOpened;

  private FifoReadChannel(Path path, ChannelConfig config, IntConsumer onOpened) throws IOException {
    super(path, config);
    this.onOpened = onOpened;
  }

  /** A channel for the FIFO's read end that is not open yet; call {@link #connect()}. Holds a wake-up pipe until closed. */
  public static FifoReadChannel unconnected(Path path, ChannelConfig config) throws IOException {
    return new FifoReadChannel(path, config, fd -> {});
  }

  /** For the follow opener: {@code onOpened} sees the new descriptor before the wait for a writer. */
  static FifoReadChannel unconnected(Path path, ChannelConfig config, IntConsumer onOpened) throws IOException {
    return new FifoReadChannel(path, config, onOpened);
  }

  @Override
  String endName() {
    return "read end";
  }

  @Override
  int connectFd(long deadline) throws IOException {
    int newFd = FifoFile.open(path, config, Native.O_RDONLY, identity);
    boolean ok = false;
    try {
      onOpened.accept(newFd);
      requestPipeSize(newFd); // early, before a writer fills the default-sized pipe
      // POLLHUP arrives only once a writer came and went after our open; POLLIN with the first byte.
      long left = Math.max(0, deadline - System.nanoTime());
      if (gate.await(newFd, Native.POLLIN, left) == 0) {
        throw openTimeout();
      }
      ok = true;
      return newFd;
    } finally {
      if (!ok) {
        Native.closeQuietly(newFd);
      }
    }
  }

  /**
   * Reads what the pipe holds, up to {@code dst.remaining()} bytes, with one {@code read(2)}: direct
   * buffers are filled in place, heap buffers through a page-aligned scratch buffer (at most 64 KiB
   * per call).
   *
   * @return the number of bytes read, 0 if none are there yet, -1 at end of file
   */
  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    enterConnected();
    try {
      int len = dst.remaining();
      if (len == 0) {
        return 0;
      }
      boolean direct = dst.isDirect();
      long address;
      if (direct) {
        address = Native.address(dst) + dst.position();
      } else {
        address = scratchAddress();
        len = Math.min(len, SCRATCH_SIZE);
      }
      long n;
      do {
        n = Native.CALLS.read(fd, address, len);
      } while (n < 0 && Native.errno() == Native.EINTR);
      if (n > 0) {
        if (direct) {
          dst.position(dst.position() + (int) n);
        } else {
          ByteBuffer s = scratch();
          s.clear().limit((int) n);
          dst.put(s);
        }
        return (int) n;
      }
      if (n == 0) {
        return -1;
      }
      int errno = Native.errno();
      if (errno == Native.EAGAIN) {
        return 0;
      }
      throw Native.error("read", path, errno);
    } finally {
      gate.exit();
    }
  }

  /**
   * Waits until bytes are there or end of file is reached (POLLIN or POLLHUP), at most
   * {@code timeoutNanos} (negative: no limit).
   */
  @Override
  public boolean awaitReady(long timeoutNanos) throws IOException {
    return await(Native.POLLIN, timeoutNanos);
  }
}
