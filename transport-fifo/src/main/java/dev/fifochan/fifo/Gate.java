package dev.fifochan.fifo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * Open/closed state, a count of threads inside system calls, and a wake-up pipe for one channel.
 *
 * <p>Every system call on the channel's descriptors runs between {@link #enter()} and
 * {@link #exit()}. {@link #close(Runnable)} marks the gate closed, writes to the wake-up pipe so
 * that a thread waiting in {@link #await} returns at once, waits until no thread is inside any more
 * and only then releases the descriptors: a descriptor is never closed under a thread that may still
 * use it. {@link Thread#interrupt()} also writes to the wake-up pipe (see {@link InterruptHook}), so
 * waiting is one sleeping {@code ppoll}, not a loop of short ones.
 */
final class Gate {
  private static final ByteBuffer ONE_BYTE = ByteBuffer.allocateDirect(64);
  private static final long ONE_BYTE_ADDRESS = Native.address(ONE_BYTE);

  private final Object lock = new Object();
  private final int wakeRead;
  private final int wakeWrite;
  private final InterruptHook interruptHook;
  private boolean closed;
  private boolean released;
  private int inside;

  Gate() throws IOException {
    int[] fds = new int[2];
    if (Native.CALLS.pipe2(fds, Native.O_NONBLOCK | Native.O_CLOEXEC) != 0) {
      throw Native.error("pipe2", null, Native.errno());
    }
    wakeRead = fds[0];
    wakeWrite = fds[1];
    interruptHook = new InterruptHook(this::wake);
  }

  /** Registers the calling thread as inside a system call; fails if the gate is closed. */
  void enter() throws ClosedChannelException {
    synchronized (lock) {
      if (closed) {
        throw new ClosedChannelException();
      }
      inside++;
    }
  }

  /** Ends what {@link #enter()} began. */
  void exit() {
    synchronized (lock) {
      if (--inside == 0 && closed) {
        lock.notifyAll();
      }
    }
  }

  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Closes the gate: wakes waiters, waits until every thread has left, then runs {@code release}
   * and closes the wake-up pipe. Returns false (and does nothing) if it was already closed.
   */
  boolean close(Runnable release) {
    boolean interrupted = false;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      wake();
      while (inside > 0) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    try {
      release.run();
    } finally {
      synchronized (lock) {
        released = true;
        Native.closeQuietly(wakeRead);
        Native.closeQuietly(wakeWrite);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /** Makes a thread waiting in {@link #await} return; harmless when nobody waits. */
  private void wake() {
    synchronized (lock) {
      if (!released) {
        Native.CALLS.write(wakeWrite, ONE_BYTE_ADDRESS, 1); // EAGAIN: a wake-up is already pending
      }
    }
  }

  private void drainWakeups() {
    long scratch = ONE_BYTE_ADDRESS; // contents never read
    while (Native.CALLS.read(wakeRead, scratch, 64) > 0) {
      // keep draining
    }
  }

  /**
   * Waits (inside {@link #enter()}/{@link #exit()}) until {@code fd} reports one of {@code events}
   * or an error or hang-up, for at most {@code timeoutNanos} (negative: no limit). A negative
   * {@code fd} just sleeps. Returns the fd's revents, or 0 when the time ran out.
   *
   * @throws AsynchronousCloseException if the gate is closed meanwhile
   * @throws InterruptedIOException if the thread is interrupted (the interrupt flag stays set)
   */
  short await(int fd, short events, long timeoutNanos) throws IOException {
    final long deadline = System.nanoTime() + timeoutNanos;
    final int[] pfds = new int[4];
    final long[] timespec = timeoutNanos < 0 ? null : new long[2];
    while (true) {
      if (isClosed()) {
        throw new AsynchronousCloseException();
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting");
      }
      if (timespec != null) {
        long left = Math.max(0, deadline - System.nanoTime());
        timespec[0] = left / 1_000_000_000L;
        timespec[1] = left % 1_000_000_000L;
      }
      Native.setPollFd(pfds, 0, fd, events);
      Native.setPollFd(pfds, 1, wakeRead, Native.POLLIN);
      int n;
      interruptHook.arm();
      try {
        n = Native.CALLS.ppoll(pfds, 2, timespec, null);
      } finally {
        interruptHook.disarm();
      }
      if (n < 0) {
        int errno = Native.errno();
        if (errno != Native.EINTR) {
          throw Native.error("ppoll", null, errno);
        }
        continue;
      }
      short revents = Native.revents(pfds, 0);
      if (revents != 0) {
        if ((revents & Native.POLLNVAL) != 0) {
          throw new IOException("ppoll: invalid descriptor " + fd);
        }
        return revents;
      }
      if (Native.revents(pfds, 1) != 0) {
        if (isClosed()) {
          throw new AsynchronousCloseException(); // leave the wake-up for other waiters
        }
        drainWakeups(); // an interrupt (checked at the top of the loop) or a stale wake-up
        continue;
      }
      if (timespec != null && deadline - System.nanoTime() <= 0) {
        return 0;
      }
    }
  }
}
