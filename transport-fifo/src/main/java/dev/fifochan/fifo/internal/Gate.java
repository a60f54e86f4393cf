package dev.fifochan.fifo.internal;

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
public final class Gate {
  /** Bytes for the wake-up pipe's writes and drains (contents never matter). Not LibC's: see the constructor. */
  private static final ByteBuffer ONE_BYTE = ByteBuffer.allocateDirect(64);

  private final long oneByteAddress; // LibC is touched only after NativeLoader.require()

  private final Object lock = new Object();
  private final int wakeRead;
  private final int wakeWrite;
  private final InterruptHook interruptHook;
  private boolean closed;
  private boolean released;
  private int inside;
  /** Set by {@link #wakeup()}: the current or next {@link #await} returns 0 at once. */
  private volatile boolean wokenUp;

  /**
   * A new open gate with its own wake-up pipe (two descriptors until {@link #close}).
   *
   * @throws dev.fifochan.fifo.NativeUnavailableException if native calls cannot be made
   */
  public Gate() throws IOException {
    NativeLoader.require();
    oneByteAddress = LibC.address(ONE_BYTE);
    long fds = LibC.pipe2(Linux.O_NONBLOCK | Linux.O_CLOEXEC);
    if (fds == -1) {
      throw Errors.of("pipe2", null, LibC.errno());
    }
    wakeRead = (int) fds;
    wakeWrite = (int) (fds >>> 32);
    interruptHook = new InterruptHook(this);
  }

  /** Registers the calling thread as inside a system call; fails if the gate is closed. */
  public void enter() throws ClosedChannelException {
    synchronized (lock) {
      if (closed) {
        throw new ClosedChannelException();
      }
      inside++;
    }
  }

  /** Ends what {@link #enter()} began. */
  public void exit() {
    synchronized (lock) {
      if (--inside == 0 && closed) {
        lock.notifyAll();
      }
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Closes the gate: wakes waiters, waits until every thread has left, then runs {@code release}
   * and closes the wake-up pipe. Returns false (and does nothing) if it was already closed.
   */
  public boolean close(Runnable release) {
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
        LibC.close(wakeRead);
        LibC.close(wakeWrite);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /**
   * Makes a thread waiting in {@link #await} return 0 (as if its time ran out) at once; if none is
   * waiting, the next wait does. Any thread; never blocks.
   */
  public void wakeup() {
    wokenUp = true;
    wake();
  }

  /** Makes a thread waiting in {@link #await} look at the gate's state again; harmless when nobody waits. */
  void wake() {
    synchronized (lock) {
      if (!released) {
        LibC.write(wakeWrite, oneByteAddress, 1); // EAGAIN: a wake-up is already pending
      }
    }
  }

  private void drainWakeups() {
    long scratch = oneByteAddress; // contents never read
    while (LibC.read(wakeRead, scratch, 64) > 0) {
      // keep draining
    }
  }

  /**
   * Waits (inside {@link #enter()}/{@link #exit()}) until {@code fd} reports one of {@code events}
   * or an error or hang-up, for at most {@code timeoutNanos} (negative: no limit). A negative
   * {@code fd} just sleeps. Returns the fd's revents, or 0 when the time ran out or
   * {@link #wakeup()} was called.
   *
   * @throws AsynchronousCloseException if the gate is closed meanwhile
   * @throws InterruptedIOException if the thread is interrupted (the interrupt flag stays set)
   */
  public short await(int fd, short events, long timeoutNanos) throws IOException {
    final long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      if (isClosed()) {
        throw new AsynchronousCloseException();
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted while waiting");
      }
      if (wokenUp) {
        wokenUp = false;
        return 0;
      }
      long left = timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
      int n;
      interruptHook.arm();
      try {
        n = LibC.ppoll2(fd, events, wakeRead, Linux.POLLIN, left);
      } finally {
        interruptHook.disarm();
      }
      if (n == -1) {
        int errno = LibC.errno();
        if (errno != Linux.EINTR) {
          throw Errors.of("ppoll", null, errno);
        }
        continue;
      }
      short revents = (short) n;
      if (revents != 0) {
        if ((revents & Linux.POLLNVAL) != 0) {
          throw new IOException("ppoll: invalid descriptor " + fd);
        }
        return revents;
      }
      if ((n >>> 16) != 0) {
        if (isClosed()) {
          throw new AsynchronousCloseException(); // leave the wake-up for other waiters
        }
        drainWakeups(); // wakeup(), an interrupt (both checked at the top of the loop) or a stale wake-up
        continue;
      }
      if (timeoutNanos >= 0 && deadline - System.nanoTime() <= 0) {
        return 0;
      }
    }
  }
}
