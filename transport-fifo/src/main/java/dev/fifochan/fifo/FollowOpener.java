package dev.fifochan.fifo;

import dev.fifochan.OpenTimeoutException;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.FileStatus;
import dev.fifochan.fifo.internal.Linux;
import dev.fifochan.fifo.internal.Log;
import dev.fifochan.fifo.internal.ReaderLock;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * Opens the read end of one FIFO afresh for each writer session, for a receiver that follows the
 * FIFO across writers. Each {@link #open()} waits, like {@link FifoReadChannel#connect()}, until the
 * next writer's first byte (or its hang-up) arrives: without limit, or at most the time given to
 * {@link #open(long)} (a following receiver's {@code poll}). The open timeout does not apply. Used by
 * {@link FollowingSource}.
 *
 * <p><b>The held descriptor.</b> The opener holds one read descriptor of the FIFO for as long as it
 * follows that FIFO, and the exclusive reader lock ({@link FifoOptions#exclusiveReader()}) is taken
 * on it, so a second fifochan reader is refused for the follower's whole life, also between
 * writers. Each session reads from a new descriptor opened through {@code /proc/self/fd} of the held
 * one (the very same FIFO, no path involved): a new open file description, on which the kernel
 * reports the next writer's hang-up rather than the last one's. No byte is lost between sessions: a
 * pipe's buffer lives while any end is open, so bytes a new writer wrote before the receiver came
 * back for them stay in the pipe. This also lets writers open the FIFO at any time.
 *
 * <p><b>Path re-checks.</b> Before each session, and every 250 ms whether the application waits for
 * a writer or not ({@link FollowWatch}), the opener checks that the path still names its FIFO. Removed: the held descriptor is closed and
 * {@link FifoRemovedException} is thrown (again on every later call). Created anew
 * ({@code rm F; mkfifo F}): the new FIFO is opened and locked, the old one let go, and the wait
 * goes on there. Asking for the next session closes the previous session's channel. No descriptor
 * stays on a deleted FIFO.
 *
 * <p>{@link #close()} cancels a pending {@link #open()} at once (it throws
 * {@link java.nio.channels.AsynchronousCloseException}) and releases the held descriptor; with
 * {@link FifoOptions#deleteOnClose()} it also unlinks the FIFO (sessions themselves never do).
 */
final class FollowOpener implements java.io.Closeable {
  private final Path path;
  private final FifoOptions sessionOptions;
  private final boolean deleteOnClose;
  /** Serializes path checks and the taking of a new FIFO (ordered before {@link #lock}). */
  private final Object checkLock = new Object();
  private final Object lock = new Object();
  private boolean closed;
  private FifoReadChannel lastSession;
  private boolean removed;
  private int heldFd;
  private FileStatus heldIdentity;
  private FifoReadChannel pending;

  private final FifoReadChannel.Opening sessions = new FifoReadChannel.Opening() {
    @Override
    public int open(FifoReadChannel ch) throws IOException {
      synchronized (checkLock) {
        synchronized (lock) {
          if (closed) {
            throw new ClosedChannelException();
          }
          if (removed) {
            throw new FifoRemovedException(path);
          }
          if (heldFd >= 0) {
            ch.identity = heldIdentity;
            return FifoFile.reopenForReading(heldFd, path);
          }
        }
        take(); // the FIFO was replaced and taking the new one failed before: try again
        return open(ch);
      }
    }

    @Override
    public boolean stillCurrent(FifoReadChannel ch) throws IOException {
      if (!checkPath(ch)) {
        return false;
      }
      // The path names the held FIFO; but the watcher (or another check) may have moved the opener to
      // a FIFO created anew after this session opened its descriptor: then the session waits on the
      // old one, which no writer can reach any more, and must re-open on the held one.
      synchronized (lock) {
        return ch.identity != null && heldIdentity != null && ch.identity.sameFile(heldIdentity);
      }
    }
  };

  private FollowOpener(Path path, FifoOptions options, int heldFd, FileStatus identity) {
    this.path = path;
    this.sessionOptions = options.toBuilder().deleteOnClose(false).build();
    this.deleteOnClose = options.deleteOnClose();
    this.heldFd = heldFd;
    this.heldIdentity = identity;
  }

  /** Checks (and maybe creates) the FIFO, opens the opener's own read descriptor and locks it. */
  static FollowOpener create(Path path, FifoOptions options) throws IOException {
    FifoFile.Opened o = openLocked(path, options, true);
    FollowOpener opener = new FollowOpener(path, options, o.fd, o.identity);
    FollowWatch.add(opener);
    return opener;
  }

  private static FifoFile.Opened openLocked(Path path, FifoOptions options, boolean mayCreate) throws IOException {
    FifoFile.Opened o = FifoFile.open(path, options, Linux.O_RDONLY, mayCreate);
    try {
      if (options.exclusiveReader()) {
        ReaderLock.acquire(o.fd, path, o.identity);
      }
      FifoFile.requestPipeSize(o.fd, options.pipeSize());
      return o;
    } catch (IOException | RuntimeException e) {
      FifoFile.closeQuietly(o.fd);
      throw e;
    }
  }

  /**
   * Whether the held FIFO is still the one at the path. Removed: lets it go and throws (also on
   * every later call). Replaced: lets the old one go, opens and locks the new one, returns false.
   * Called by a waiting session ({@code waiting}), at the start of each {@link #open}, and every
   * 250 ms by {@link FollowWatch} (so that writers of a new FIFO find a reader also while the
   * application is not asking for the next session).
   */
  boolean checkPath(FifoReadChannel waiting) throws IOException {
    synchronized (checkLock) {
      FileStatus held;
      synchronized (lock) {
        if (closed) {
          throw new ClosedChannelException();
        }
        if (removed) {
          throw new FifoRemovedException(path);
        }
        if (heldFd < 0) {
          return false;
        }
        held = heldIdentity;
      }
      if (FifoFile.recheck(path, held) == FifoFile.PathState.SAME) {
        return true;
      }
      boolean gone = waiting != null ? waiting.removed(held) : graceRemoved(held);
      synchronized (lock) {
        FifoFile.closeQuietly(heldFd); // keep nothing on a FIFO that left the path
        heldFd = -1;
        if (gone) {
          removed = true;
          FollowWatch.remove(this);
          Log.log(System.Logger.Level.WARNING, "FIFO {0} was removed: the following receiver stops", path);
          throw new FifoRemovedException(path);
        }
      }
      Log.log(System.Logger.Level.INFO, "FIFO {0} was created anew: the following receiver takes the new one", path);
      take(); // on failure the next call tries again
      return false;
    }
  }

  /** Opens and locks the FIFO now at the path as the held one (none may be held). Under {@link #checkLock}. */
  private void take() throws IOException {
    FifoFile.Opened fresh = openLocked(path, sessionOptions, false);
    synchronized (lock) {
      if (closed) {
        FifoFile.closeQuietly(fresh.fd);
        throw new ClosedChannelException();
      }
      heldFd = fresh.fd;
      heldIdentity = fresh.identity;
    }
  }

  /** One check by the watcher: what it finds is reported by the next {@link #open}. */
  void watch() {
    try {
      checkPath(null);
    } catch (IOException | RuntimeException e) {
      // recorded in the state (removed, or nothing held): the next open() reports it
    }
  }

  private boolean graceRemoved(FileStatus held) throws IOException {
    if (FifoFile.recheck(path, held) != FifoFile.PathState.REMOVED) {
      return false;
    }
    try {
      Thread.sleep(FifoEnd.REMOVAL_GRACE_NANOS / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while checking " + path);
    }
    return FifoFile.recheck(path, held) == FifoFile.PathState.REMOVED;
  }

  /**
   * Waits at most {@code timeoutNanos} (negative: no limit) for the next writer's first byte. A
   * timed-out wait closes its descriptor and returns null; the held descriptor keeps the pipe, and
   * whatever a writer puts in it meanwhile, for the next call.
   *
   * @throws FifoRemovedException if the FIFO was removed from its path
   * @throws FifoBusyException if the FIFO was created anew and another reader took it first
   */
  FifoReadChannel open(long timeoutNanos) throws IOException {
    FifoReadChannel previous;
    synchronized (lock) {
      previous = lastSession;
      lastSession = null;
    }
    if (previous != null) {
      previous.close(); // asking for the next session ends the last one: nothing stays on an old FIFO
    }
    FifoReadChannel ch = FifoReadChannel.unconnected(path, sessionOptions, sessions);
    synchronized (lock) {
      if (closed) {
        ch.close();
        throw new ClosedChannelException();
      }
      pending = ch;
    }
    boolean ok = false;
    try {
      checkPath(null); // a FIFO replaced during the last session: move to the new one first
      ch.connect(timeoutNanos);
      ok = true;
      synchronized (lock) {
        lastSession = ch;
      }
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

  @Override
  public void close() {
    FifoReadChannel toCancel;
    FileStatus id;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toCancel = pending;
      FollowWatch.remove(this);
      FifoFile.closeQuietly(heldFd);
      heldFd = -1;
      id = heldIdentity;
    }
    if (toCancel != null) {
      toCancel.close();
    }
    if (deleteOnClose) {
      FifoFile.deleteIfSame(path, id);
    }
  }

  @Override
  public String toString() {
    return "FollowOpener[" + path + "]";
  }
}
