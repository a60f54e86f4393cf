package dev.fifochan.fifo;

import static dev.fifochan.fifo.Native.POSIX;

import dev.fifochan.ChannelConfig;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.SourceOpener;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import jnr.posix.FileStat;

/**
 * Opens the read end of one FIFO afresh for each writer session, for a receiver that follows the
 * FIFO across writers. Each {@link #open()} waits, like {@link FifoReadChannel#connect()}, until the
 * next writer's first byte (or its hang-up) arrives: without limit, or at most the time given to
 * {@link #open(long)} (a following receiver's {@code poll}). The open timeout does not apply.
 *
 * <p>No byte is lost between sessions: the opener always holds one read descriptor of its own (from
 * its creation on, then a duplicate of the newest session's), and replaces it only after the next
 * session's descriptor is open. A pipe's buffer lives only while some end is open, so bytes a new
 * writer wrote before the receiver came back for them stay in the pipe. This also lets writers open
 * the FIFO at any time while the opener lives.
 *
 * <p>{@link #close()} cancels a pending {@link #open()} at once (it throws
 * {@link java.nio.channels.AsynchronousCloseException}) and releases the held descriptor; with
 * {@link ChannelConfig#deleteOnClose()} it also unlinks the FIFO (sessions themselves never do).
 */
final class FollowOpener implements SourceOpener {
  private static final int F_DUPFD_CLOEXEC = 1030;
  private static final Duration FOREVER = Duration.ofDays(365 * 100);

  private final Path path;
  private final ChannelConfig sessionConfig;
  private final boolean deleteOnClose;
  private final long dev;
  private final long ino;
  private final Object lock = new Object();
  private boolean closed;
  private int heldFd;
  private FifoReadChannel pending;

  private FollowOpener(Path path, ChannelConfig config, int heldFd, FileStat st) {
    this.path = path;
    this.sessionConfig = config.toBuilder().deleteOnClose(false).build();
    this.deleteOnClose = config.deleteOnClose();
    this.heldFd = heldFd;
    this.dev = st.dev();
    this.ino = st.ino();
  }

  /** Checks (and maybe creates) the FIFO and opens the opener's own read descriptor. */
  static FollowOpener create(Path path, ChannelConfig config) throws IOException {
    int fd = FifoFile.open(path, config, Native.O_RDONLY, new long[2]);
    FileStat st = POSIX.allocateStat();
    if (POSIX.fstat(fd, st) != 0) {
      int errno = Native.errno();
      Native.closeQuietly(fd);
      throw Native.error("fstat", path, errno);
    }
    return new FollowOpener(path, config, fd, st);
  }

  /**
   * Waits at most {@code timeoutNanos} (negative: no limit) for the next writer's first byte.
   * A timed-out wait closes its descriptor and returns null; the held descriptor keeps the pipe,
   * and whatever a writer puts in it meanwhile, for the next call.
   */
  @Override
  public ReadableByteChannel open(long timeoutNanos) throws IOException {
    Duration wait = timeoutNanos < 0 ? FOREVER : Duration.ofNanos(timeoutNanos);
    ChannelConfig config = sessionConfig.toBuilder().openTimeout(wait).build();
    FifoReadChannel ch = FifoReadChannel.unconnected(path, config, this::hold);
    synchronized (lock) {
      if (closed) {
        ch.close();
        throw new ClosedChannelException();
      }
      pending = ch;
    }
    boolean ok = false;
    try {
      ch.connect();
      ok = true;
      return ch;
    } catch (OpenTimeoutException e) {
      if (timeoutNanos < 0) {
        throw e;
      }
      return null;
    } finally {
      synchronized (lock) {
        if (pending == ch) {
          pending = null;
        }
      }
      if (!ok) {
        ch.close();
      }
    }
  }

  /** Keeps a duplicate of the new session's descriptor, and only then lets go of the previous one. */
  private void hold(int sessionFd) {
    int dup = POSIX.libc().fcntl(sessionFd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) {
      return; // keep the previous one: it still keeps the pipe alive
    }
    synchronized (lock) {
      if (closed) {
        Native.closeQuietly(dup);
        return;
      }
      int previous = heldFd;
      heldFd = dup;
      Native.closeQuietly(previous);
    }
  }

  @Override
  public void close() {
    FifoReadChannel toCancel;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toCancel = pending;
      Native.closeQuietly(heldFd);
      heldFd = -1;
    }
    if (toCancel != null) {
      toCancel.close();
    }
    if (deleteOnClose) {
      FifoFile.deleteIfSame(path, dev, ino);
    }
  }

  @Override
  public String toString() {
    return "FollowOpener[" + path + "]";
  }
}
