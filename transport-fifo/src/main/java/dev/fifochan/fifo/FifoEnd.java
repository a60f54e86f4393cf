package dev.fifochan.fifo;

import static dev.fifochan.fifo.Native.POSIX;

import dev.fifochan.ChannelConfig;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.WaitableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.Path;
import java.util.Objects;

/** What both ends of a FIFO share: connecting, waiting, pipe size, closing. */
abstract class FifoEnd implements WaitableChannel {
  static final int SCRATCH_SIZE = 64 * 1024;

  final Path path;
  final ChannelConfig config;
  final Gate gate;
  private final Object stateLock = new Object();
  private boolean connectStarted;
  private volatile boolean connected;
  int fd = -1; // written once, before connected is set
  /** Device and inode of the FIFO last checked while connecting; {@code {0, 0}} before. */
  final long[] identity = new long[2];
  private ByteBuffer scratch;
  private long scratchAddress;

  FifoEnd(Path path, ChannelConfig config) throws IOException {
    this.path = Objects.requireNonNull(path, "path");
    this.config = Objects.requireNonNull(config, "config");
    this.gate = new Gate();
  }

  /** Opens the descriptor and waits for the peer; returns it, or throws after closing it. */
  abstract int connectFd(long deadline) throws IOException;

  /** "read end" or "write end", for messages. */
  abstract String endName();

  /**
   * Opens this end of the FIFO and waits for the peer, at most {@link ChannelConfig#openTimeout()}.
   * Cancelled at once by {@link #close()} from another thread ({@link java.nio.channels.AsynchronousCloseException})
   * or by interrupting the caller ({@link java.io.InterruptedIOException}, interrupt flag kept);
   * nothing stays open or blocked behind.
   *
   * @throws OpenTimeoutException if no peer came in time
   * @throws UnsafeFifoException if the path is refused
   * @throws IllegalStateException if connect was already called
   */
  public final void connect() throws IOException {
    gate.enter();
    try {
      synchronized (stateLock) {
        if (connectStarted) {
          throw new IllegalStateException("connect() was already called on " + this);
        }
        connectStarted = true;
      }
      long deadline = System.nanoTime() + openTimeoutNanos();
      int newFd = connectFd(deadline);
      requestPipeSize(newFd); // again: the peer may have asked for another size meanwhile
      fd = newFd;
      connected = true;
    } finally {
      gate.exit();
    }
  }

  /** Asks for {@link ChannelConfig#pipeSize()}, best effort (EPERM, EBUSY and the like are ignored). */
  final void requestPipeSize(int anFd) {
    if (config.pipeSize() > 0) {
      POSIX.libc().fcntl(anFd, Native.F_SETPIPE_SZ, config.pipeSize());
    }
  }

  final long openTimeoutNanos() {
    try {
      return config.openTimeout().toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  final OpenTimeoutException openTimeout() {
    return new OpenTimeoutException("FIFO " + path + " (" + endName() + ")", config.openTimeout());
  }

  /** Whether {@link #connect()} completed. */
  public final boolean isConnected() {
    return connected;
  }

  /** The FIFO's path. */
  public final Path path() {
    return path;
  }

  /**
   * The pipe's capacity in bytes as the kernel reports it now (F_GETPIPE_SZ): the size this end
   * asked for if the kernel granted it, unless the peer asked for another one since. 0 when not
   * connected or closed.
   */
  public final int pipeSize() {
    try {
      enterConnected();
    } catch (IOException | java.nio.channels.NotYetConnectedException e) {
      return 0;
    }
    try {
      return Math.max(0, POSIX.libc().fcntl(fd, Native.F_GETPIPE_SZ, 0));
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

  final boolean await(short events, long timeoutNanos) throws IOException {
    enterConnected();
    try {
      return gate.await(fd, events, timeoutNanos) != 0;
    } finally {
      gate.exit();
    }
  }

  /** A page-aligned direct buffer for heap buffers' bytes, so that a read copies only what arrived. */
  final ByteBuffer scratch() {
    if (scratch == null) {
      scratch = ByteBuffer.allocateDirect(SCRATCH_SIZE + 4096).alignedSlice(4096);
      scratchAddress = Native.address(scratch);
    }
    return scratch;
  }

  final long scratchAddress() {
    scratch();
    return scratchAddress;
  }

  /**
   * Closes this end. A thread waiting in {@link #connect()} or {@link #awaitReady(long)} returns at
   * once with an {@link java.nio.channels.AsynchronousCloseException}; the descriptor is closed after
   * it left. With {@link ChannelConfig#deleteOnClose()} the FIFO is unlinked if the path still names
   * the FIFO this end opened (or checked, when connecting failed).
   */
  @Override
  public final void close() {
    gate.close(() -> {
      Native.closeQuietly(fd);
      if (config.deleteOnClose() && (identity[0] != 0 || identity[1] != 0)) {
        FifoFile.deleteIfSame(path, identity[0], identity[1]); // also after a failed connect
      }
    });
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + path + (connected ? ", fd " + fd : "") + (isOpen() ? "" : ", closed") + "]";
  }
}
