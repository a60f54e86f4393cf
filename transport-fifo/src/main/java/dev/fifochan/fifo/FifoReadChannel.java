package dev.fifochan.fifo;

import dev.fifochan.Deadline;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.InheritedDescriptor;
import dev.fifochan.fifo.internal.LibC;
import dev.fifochan.fifo.internal.Linux;
import dev.fifochan.fifo.internal.Log;
import dev.fifochan.fifo.internal.ReaderLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;

/**
 * The read end of a FIFO as a non-blocking {@link ReadableByteChannel}: {@link #read} is one
 * {@code read(2)} that returns 0 when no bytes are there yet and -1 at end of file (no writer left
 * and the pipe empty); {@link #awaitReady(Deadline)} waits for bytes or end of file.
 *
 * <p><b>The read end is open when the first writer's first byte arrives</b> (or when a writer came
 * and left without writing, which then reads as end of file): {@link #connect()} opens the
 * descriptor at once (O_NONBLOCK never waits for a writer), takes the reader lock
 * ({@link FifoOptions#exclusiveReader()}: a second reader gets {@link FifoBusyException} before
 * reading anything) and then waits until that happens or the open timeout runs out. Without that
 * wait a non-blocking read before any writer came would report a false end of file. While it
 * waits it checks every 250 ms that the path still names the FIFO: a removed FIFO ends the wait
 * with {@link FifoRemovedException}; a FIFO created anew at the path is opened (and locked)
 * instead of the old one.
 *
 * <p>A path naming a descriptor this process holds ({@code /dev/stdin}, {@code /dev/fd/N}, ...:
 * see {@link Fifo}) is opened through that descriptor and is connected at once, without the lock.
 *
 * <p>One thread reads at a time; {@link #close()} and {@link #awaitReady} may be called from any
 * thread. Obtain one from {@link Fifo#openReadChannel}, or {@link #unconnected} then {@link #connect()}
 * when another thread must be able to cancel the open by closing the channel.
 */
public final class FifoReadChannel extends FifoEnd implements ReadableByteChannel {
  /** How connecting gets a read descriptor and learns that the FIFO behind it was replaced. */
  interface Opening {
    /** A new read descriptor of the FIFO (locked when that is the rule); the caller owns it. */
    int open(FifoReadChannel ch) throws IOException;

    /**
     * Called after a wait of up to 250 ms saw nothing: whether the descriptor is still the one to
     * wait on. False: the caller closes it and calls {@link #open} again.
     *
     * @throws FifoRemovedException if the FIFO is gone from its path
     */
    boolean stillCurrent(FifoReadChannel ch) throws IOException;
  }

  /** A reader of the path: checks (maybe creates), opens and locks it; follows a re-created FIFO. */
  private static final Opening PATH = new Opening() {
    @Override
    public int open(FifoReadChannel ch) throws IOException {
      FifoFile.Opened o = FifoFile.open(ch.path, ch.options, Linux.O_RDONLY, ch.identity == null);
      ch.identity = o.identity;
      if (ch.options.exclusiveReader()) {
        try {
          ReaderLock.acquire(o.fd, ch.path, o.identity);
        } catch (IOException | RuntimeException e) {
          FifoFile.closeQuietly(o.fd);
          throw e;
        }
      }
      return o.fd;
    }

    @Override
    public boolean stillCurrent(FifoReadChannel ch) throws IOException {
      if (ch.removed(ch.identity)) {
        Log.log(System.Logger.Level.WARNING, "FIFO {0} was removed while its read end waited for a writer", ch.path);
        throw new FifoRemovedException(ch.path);
      }
      if (FifoFile.recheck(ch.path, ch.identity) == FifoFile.PathState.SAME) {
        return true;
      }
      Log.log(System.Logger.Level.INFO, "FIFO {0} was created anew while its read end waited for a writer: reading the new one",
          ch.path);
      return false;
    }
  };

  private final Opening opening;
  /**
   * Connected without waiting for a writer ({@link #connectWithoutWaiting}): until one has been
   * seen, end of file from read(2) only means that none has come yet, and reads as 0 bytes.
   */
  private volatile boolean awaitingWriter;
  /** The FIFO left its path while this end waited for its first writer: its descriptor is closed. */
  private volatile boolean fifoRemoved;

  private FifoReadChannel(Path path, FifoOptions options, Opening opening) throws IOException {
    super(path, options);
    this.opening = opening;
  }

  /**
   * A channel for the FIFO's read end that is not open yet; call {@link #connect()}. Holds a
   * wake-up pipe until closed.
   *
   * @throws NativeUnavailableException if native calls cannot be made in this JVM
   */
  public static FifoReadChannel unconnected(Path path, FifoOptions options) throws IOException {
    return new FifoReadChannel(path, options, PATH);
  }

  /** For a following receiver: sessions get their descriptor from the follower. */
  static FifoReadChannel unconnected(Path path, FifoOptions options, Opening opening) throws IOException {
    return new FifoReadChannel(path, options, opening);
  }

  @Override
  String endName() {
    return "read end";
  }

  /**
   * Opens and locks the read end without waiting for a writer, for the two FIFOs of a
   * {@link FifoPair} (each side opens its read end first, then waits for the peer's read end with
   * its write end, so that either side may start first). Until a writer has come, {@link #read}
   * returns 0 instead of end of file and {@link #awaitReady} waits for one.
   */
  void connectWithoutWaiting() throws IOException {
    awaitingWriter = true;
    connect(0);
  }

  @Override
  int connectFd(long timeoutNanos) throws IOException {
    int inherited = InheritedDescriptor.number(path);
    if (inherited >= 0) {
      return InheritedDescriptor.open(path, inherited, Linux.O_RDONLY);
    }
    final long deadline = System.nanoTime() + timeoutNanos;
    int newFd = opening.open(this);
    boolean ok = false;
    try {
      FifoFile.requestPipeSize(newFd, options.pipeSize()); // early, before a writer fills the default-sized pipe
      if (awaitingWriter) {
        ok = true;
        return newFd;
      }
      while (true) {
        // POLLHUP arrives only once a writer came and went after this open; POLLIN with the first byte.
        long left = timeoutNanos < 0 ? RECHECK_NANOS : Math.min(RECHECK_NANOS, Math.max(0, deadline - System.nanoTime()));
        if (gate.await(newFd, Linux.POLLIN, left) != 0) {
          ok = true;
          return newFd;
        }
        if (timeoutNanos >= 0 && deadline - System.nanoTime() <= 0) {
          throw openTimeout(timeoutNanos);
        }
        if (!opening.stillCurrent(this)) {
          int old = newFd;
          newFd = -1;
          FifoFile.closeQuietly(old);
          newFd = opening.open(this);
          FifoFile.requestPipeSize(newFd, options.pipeSize());
        }
      }
    } finally {
      if (!ok) {
        FifoFile.closeQuietly(newFd);
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
    if (fifoRemoved) {
      throw new FifoRemovedException(path);
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
        address = LibC.address(dst) + dst.position();
      } else {
        address = scratchAddress();
        len = Math.min(len, SCRATCH_SIZE);
      }
      long n;
      do {
        n = LibC.read(fd, address, len);
      } while (n < 0 && LibC.errno() == Linux.EINTR);
      if (n > 0) {
        awaitingWriter = false;
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
        return awaitingWriter ? 0 : -1;
      }
      int errno = LibC.errno();
      if (errno == Linux.EAGAIN) {
        return 0;
      }
      throw dev.fifochan.fifo.internal.Errors.of("read", path, errno);
    } finally {
      gate.exit();
    }
  }

  /**
   * Waits until bytes are there or end of file is reached (POLLIN or POLLHUP), at most
   * {@code deadline}, or until {@link #wakeup()} (then false).
   */
  @Override
  public boolean awaitReady(Deadline deadline) throws IOException {
    if (fifoRemoved) {
      throw new FifoRemovedException(path);
    }
    if (!awaitingWriter) {
      return await(Linux.POLLIN, deadline);
    }
    enterConnected();
    try {
      return awaitFirstWriter(deadline);
    } finally {
      gate.exit();
    }
  }

  /**
   * The wait of a read end connected without waiting (a {@link FifoPair}'s) for its first writer:
   * like any wait for a peer it checks the path every 250 ms; a FIFO created anew is opened (and
   * locked) in place of the old one, nothing having been read from it yet.
   */
  private boolean awaitFirstWriter(Deadline deadline) throws IOException {
    while (true) {
      long slice = deadline.isNone() ? RECHECK_NANOS : Math.min(RECHECK_NANOS, deadline.remainingNanos());
      long start = System.nanoTime();
      if (gate.await(fd, Linux.POLLIN, slice) != 0) {
        awaitingWriter = false; // bytes, or the hang-up of a writer that came and went
        return true;
      }
      if (deadline.hasExpired() || System.nanoTime() - start < slice) {
        return false; // time ran out, or wakeup()
      }
      boolean current;
      try {
        current = opening.stillCurrent(this);
      } catch (FifoRemovedException e) {
        fifoRemoved = true;
        int old = fd;
        fd = -1;
        FifoFile.closeQuietly(old); // keep nothing on the removed FIFO; later calls throw again
        throw e;
      }
      if (!current) {
        int old = fd;
        fd = opening.open(this);
        FifoFile.closeQuietly(old);
        FifoFile.requestPipeSize(fd, options.pipeSize());
      }
    }
  }
}
