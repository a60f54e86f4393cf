package dev.fifochan.spi;

import dev.fifochan.Deadline;
import java.io.IOException;
import java.nio.channels.Channel;

/**
 * A non-blocking channel that can wait for readiness until a {@link Deadline}. Transports implement it
 * so that timed operations, {@code close()} from another thread and interrupts work; their
 * {@code read}/{@code write} return 0 instead of blocking. {@link ByteStreams} treats a
 * {@link java.nio.channels.SelectableChannel} as waitable too (it switches it to non-blocking mode and
 * waits with a {@link java.nio.channels.Selector}), and any other channel as blocking.
 */
public interface WaitableChannel extends Channel {

  /**
   * Waits until the next read (of a readable channel) or write (of a writable one) can make progress,
   * or the peer has closed its end, or {@code deadline} passes, or {@link #wakeup()} is called.
   *
   * @return true if ready; false if the deadline passed or the wait was woken (callers re-check
   *     their state and may wait again)
   * @throws java.nio.channels.ClosedChannelException if the channel is closed, also while waiting
   *     ({@link java.nio.channels.AsynchronousCloseException} then)
   * @throws java.io.InterruptedIOException if the waiting thread is interrupted (the flag stays set)
   */
  boolean awaitReady(Deadline deadline) throws IOException;

  /**
   * Makes a thread waiting in {@link #awaitReady} return false at once; if none is waiting, the next
   * wait may return false at once. Any thread; never blocks.
   */
  void wakeup();
}
