package dev.fifochan.fifo;

import dev.fifochan.Deadline;
import dev.fifochan.PeerClosedException;
import dev.fifochan.fifo.internal.Errors;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.InheritedDescriptor;
import dev.fifochan.fifo.internal.LibC;
import dev.fifochan.fifo.internal.Linux;
import dev.fifochan.fifo.internal.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * The write end of a FIFO as a non-blocking {@link WritableByteChannel}: {@link #write} is one
 * {@code write(2)} that returns how many bytes went into the pipe (0 when it is full, fewer than
 * asked when it filled up: bytes are never dropped silently); {@link #awaitReady(Deadline)} waits for
 * room. When the reader is gone, writing throws {@link PeerClosedException} (EPIPE: the JVM ignores
 * SIGPIPE, so it arrives as an error number).
 *
 * <p>Opening polls {@code open(O_WRONLY|O_NONBLOCK)} with a growing back-off (0.5 ms up to 20 ms)
 * until a reader is there, so no thread ever sits in an uninterruptible {@code open(2)}. Each attempt
 * checks the path afresh: a FIFO created anew at the path is the one opened; a FIFO removed while
 * waiting ends the wait with {@link FifoRemovedException} (only the first attempt may create a
 * missing FIFO, {@link FifoOptions#createIfMissing()}).
 *
 * <p>A path naming a descriptor this process holds ({@code /dev/stdout}, {@code /dev/fd/N}, ...:
 * see {@link Fifo}) is opened through that descriptor, at once.
 *
 * <p>One thread writes at a time; {@link #close()} and {@link #awaitReady} may be called from any
 * thread. Obtain one from {@link Fifo#openWriteChannel}, or {@link #unconnected} then
 * {@link #connect()} when another thread must be able to cancel the open by closing the channel.
 */
public final class FifoWriteChannel extends FifoEnd implements WritableByteChannel {
  static final long FIRST_BACKOFF_NANOS = 500_000;
  static final long MAX_BACKOFF_NANOS = 20_000_000;

  private FifoWriteChannel(Path path, FifoOptions options) throws IOException {
    super(path, options);
  }

  /**
   * A channel for the FIFO's write end that is not open yet; call {@link #connect()}. Holds a
   * wake-up pipe until closed.
   *
   * @throws NativeUnavailableException if native calls cannot be made in this JVM
   */
  public static FifoWriteChannel unconnected(Path path, FifoOptions options) throws IOException {
    return new FifoWriteChannel(path, options);
  }

  @Override
  String endName() {
    return "write end";
  }

  @Override
  int connectFd(long timeoutNanos) throws IOException {
    int inherited = InheritedDescriptor.number(path);
    if (inherited >= 0) {
      return InheritedDescriptor.open(path, inherited, Linux.O_WRONLY);
    }
    final long deadline = System.nanoTime() + timeoutNanos;
    long backoff = FIRST_BACKOFF_NANOS;
    while (true) {
      FifoFile.Opened o;
      try {
        o = FifoFile.open(path, options, Linux.O_WRONLY, identity == null);
      } catch (java.nio.file.NoSuchFileException e) {
        if (identity != null && removed(identity)) {
          Log.log(System.Logger.Level.WARNING, "FIFO {0} was removed while its write end waited for a reader", path);
          throw new FifoRemovedException(path);
        }
        if (identity == null) {
          throw e;
        }
        continue; // back again after the grace
      }
      if (identity != null && !identity.sameFile(o.identity)) {
        Log.log(System.Logger.Level.INFO, "FIFO {0} was created anew while its write end waited for a reader: opening the new one",
            path);
      }
      identity = o.identity;
      if (o.fd >= 0) {
        return o.fd;
      }
      long left = timeoutNanos < 0 ? MAX_BACKOFF_NANOS : deadline - System.nanoTime(); // ENXIO: no reader yet
      if (left <= 0) {
        throw openTimeout(timeoutNanos);
      }
      gate.await(-1, (short) 0, Math.min(backoff, left)); // a sleep that close() and interrupts end
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  /**
   * Writes as much of {@code src} as the pipe takes, with one {@code write(2)}: direct buffers in
   * place, heap buffers through a scratch buffer (at most 64 KiB per call). A write of at most
   * PIPE_BUF (4096) bytes is atomic: all of it or nothing (0).
   *
   * @return the number of bytes written, 0 if the pipe is full
   * @throws PeerClosedException if the reader closed its end
   */
  @Override
  public int write(ByteBuffer src) throws IOException {
    enterConnected();
    try {
      int len = src.remaining();
      if (len == 0) {
        return 0;
      }
      boolean direct = src.isDirect();
      long address;
      if (direct) {
        address = LibC.address(src) + src.position();
      } else {
        len = Math.min(len, SCRATCH_SIZE);
        ByteBuffer s = scratch();
        s.clear();
        s.put(src.duplicate().limit(src.position() + len));
        address = scratchAddress();
      }
      long n;
      do {
        n = LibC.write(fd, address, len);
      } while (n < 0 && LibC.errno() == Linux.EINTR);
      if (n >= 0) {
        src.position(src.position() + (int) n);
        return (int) n;
      }
      int errno = LibC.errno();
      if (errno == Linux.EAGAIN) {
        return 0;
      }
      if (errno == Linux.EPIPE) {
        throw new PeerClosedException(toString(), Errors.of("write", path, errno));
      }
      throw Errors.of("write", path, errno);
    } finally {
      gate.exit();
    }
  }

  /**
   * Waits until the pipe has room or the reader is gone (POLLOUT or POLLERR; the next write then
   * throws {@link PeerClosedException}), at most {@code deadline}, or until {@link #wakeup()} (then false).
   */
  @Override
  public boolean awaitReady(Deadline deadline) throws IOException {
    return await(Linux.POLLOUT, deadline);
  }
}
