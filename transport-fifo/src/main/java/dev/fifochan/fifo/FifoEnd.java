package dev.fifochan.fifo;

import dev.fifochan.Deadline;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.spi.WaitableChannel;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.FileStatus;
import dev.fifochan.fifo.internal.Gate;
import dev.fifochan.fifo.internal.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** What both ends of a FIFO share: connecting, waiting, pipe size, closing. */
abstract class FifoEnd implements WaitableChannel {
  static final int SCRATCH_SIZE = 64 * 1024;
  /** Longest time a wait for a peer goes without checking that the path still names the FIFO. */
  static final long RECHECK_NANOS = 250_000_000L;
  /** A FIFO found missing is looked for once more after this long (a {@code rm F; mkfifo F} in progress). */
  static final long REMOVAL_GRACE_NANOS = 25_000_000L;

  final Path path;
  final FifoOptions options;
  final Gate gate;
  private final Object stateLock = new Object();
  private boolean connectStarted;
  private volatile boolean connected;
  /** Written before connected is set; replaced only by a read end still waiting for its first writer. */
  volatile int fd = -1;
  /** The FIFO last checked while connecting (for deleteOnClose); null before, and for inherited descriptors. */
  volatile FileStatus identity;
  private ByteBuffer scratch;
  private long scratchAddress;
  /** Run once after this end closed (a {@link FifoPair} acceptor counts its connection's open ends). */
  private volatile Runnable closeListener;

  FifoEnd(Path path, FifoOptions options) throws IOException {
    this.path = Objects.requireNonNull(path, "path");
    this.options = Objects.requireNonNull(options, "options");
    this.gate = new Gate();
  }

  /**
   * Opens the descriptor and waits for the peer, at most {@code timeoutNanos} (negative: no
   * limit); returns it, or throws after closing it.
   */
  abstract int connectFd(long timeoutNanos) throws IOException;

  /** "read end" or "write end", for messages. */
  abstract String endName();

  /**
   * Opens this end of the FIFO and waits for the peer, at most {@link FifoOptions#openTimeout()}.
   * Cancelled at once by {@link #close()} from another thread ({@link java.nio.channels.AsynchronousCloseException})
   * or by interrupting the caller ({@link java.io.InterruptedIOException}, interrupt flag kept);
   * nothing stays open or blocked behind.
   *
   * @throws OpenTimeoutException if no peer came in time
   * @throws UnsafeFifoException if the path is refused
   * @throws FifoRemovedException if the FIFO was removed while waiting
   * @throws FifoBusyException (read end) if another reader holds the FIFO
   * @throws IllegalStateException if connect was already called
   */
  public final void connect() throws IOException {
    connect(openTimeoutNanos());
  }

  /** {@link #connect()} with its own limit (negative: none). */
  final void connect(long timeoutNanos) throws IOException {
    gate.enter();
    try {
      synchronized (stateLock) {
        if (connectStarted) {
          throw new IllegalStateException("connect() was already called on " + this);
        }
        connectStarted = true;
      }
      int newFd = connectFd(timeoutNanos);
      FifoFile.requestPipeSize(newFd, options.pipeSize()); // again: the peer may have asked for another size meanwhile
      fd = newFd;
      connected = true;
    } finally {
      gate.exit();
    }
  }

  final long openTimeoutNanos() {
    return nanos(options.openTimeout());
  }

  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  final OpenTimeoutException openTimeout(long timeoutNanos) {
    return new OpenTimeoutException(endName() + " of FIFO " + path, Duration.ofNanos(timeoutNanos));
  }

  /**
   * Whether the FIFO {@code seen} is gone from the path for good: missing now and still missing a
   * moment later (so that a {@code rm F; mkfifo F} in progress is not taken for a removal).
   */
  final boolean removed(FileStatus seen) throws IOException {
    if (FifoFile.recheck(path, seen) != FifoFile.PathState.REMOVED) {
      return false;
    }
    gate.await(-1, (short) 0, REMOVAL_GRACE_NANOS); // a sleep that close() and interrupts end
    return FifoFile.recheck(path, seen) == FifoFile.PathState.REMOVED;
  }

  /** Whether {@link #connect()} completed. */
  public final boolean isConnected() {
    return connected;
  }

  /** The FIFO's path (or the descriptor path it was opened through). */
  public final Path path() {
    return path;
  }

  /**
   * The pipe's capacity in bytes as the kernel reports it now (F_GETPIPE_SZ): the size this end
   * asked for if the kernel granted it, unless the peer asked for another one since. 0 when not
   * connected, closed, or not a pipe (an inherited regular file).
   */
  public final int pipeSize() {
    try {
      enterConnected();
    } catch (IOException | NotYetConnectedException e) {
      return 0;
    }
    try {
      return FifoFile.pipeSize(fd);
    } finally {
      gate.exit();
    }
  }

  @Override
  public final boolean isOpen() {
    return !gate.isClosed();
  }

  /** Enters the gate of a connected channel; pair with {@code gate.exit()}. */
  final void enterConnected() throws IOException {
    gate.enter();
    if (!connected) {
      gate.exit();
      throw new NotYetConnectedException();
    }
  }

  final boolean await(short events, Deadline deadline) throws IOException {
    enterConnected();
    try {
      return gate.await(fd, events, deadline.isNone() ? -1 : deadline.remainingNanos()) != 0;
    } finally {
      gate.exit();
    }
  }

  /**
   * Makes a thread waiting in {@link #awaitReady} return false at once; if none is waiting, the
   * next wait does. Any thread; never blocks.
   */
  @Override
  public final void wakeup() {
    gate.wakeup();
  }

  /** A page-aligned direct buffer for heap buffers' bytes, so that a read copies only what arrived. */
  final ByteBuffer scratch() {
    if (scratch == null) {
      scratch = ByteBuffer.allocateDirect(SCRATCH_SIZE + 4096).alignedSlice(4096);
      scratchAddress = LibC.address(scratch);
    }
    return scratch;
  }

  final long scratchAddress() {
    scratch();
    return scratchAddress;
  }

  /**
   * Closes this end. A thread waiting in {@link #connect()} or {@link #awaitReady(Deadline)} returns at
   * once with an {@link java.nio.channels.AsynchronousCloseException}; the descriptor is closed after
   * it left. With {@link FifoOptions#deleteOnClose()} the FIFO is unlinked if the path still names
   * the FIFO this end opened (or checked, when connecting failed).
   */
  @Override
  public void close() {
    boolean first = gate.close(new Runnable() { // not a lambda: the first one in a JVM costs milliseconds
      @Override
      public void run() {
        FifoFile.closeQuietly(fd);
        FileStatus id = identity;
        if (options.deleteOnClose() && id != null) {
          FifoFile.deleteIfSame(path, id); // also after a failed connect
        }
      }
    });
    Runnable listener = closeListener;
    if (first && listener != null) {
      listener.run();
    }
  }

  /**
   * Runs {@code listener} once this end is closed (at once if it is already): after its descriptor
   * was released. The listener must tolerate being run twice (a close racing the registration).
   */
  final void whenClosed(Runnable listener) {
    closeListener = listener;
    if (!isOpen()) {
      listener.run();
    }
  }

  /** "read end of FIFO /path" or "write end of FIFO /path": used in messages and as the channel's description. */
  @Override
  public String toString() {
    return endName() + " of FIFO " + path;
  }
}
