package dev.fifochan;

import java.io.IOException;
import java.nio.channels.Channel;

/**
 * A non-blocking channel that can wait for readiness with a deadline. Transports implement it so that
 * timed operations ({@link Receiver#poll}, {@link Sender#send(Object, java.time.Duration)}) and
 * {@code close()} from another thread work; their {@code read}/{@code write} return 0 instead of
 * blocking. Sender and receiver treat any other channel as blocking.
 */
public interface WaitableChannel extends Channel {

  /**
   * Waits until the next read (for a readable channel) or write (for a writable one) can make
   * progress, or the peer has closed its end, at most {@code timeoutNanos} (negative: no limit).
   *
   * @return true if ready, false if the time ran out
   * @throws java.nio.channels.ClosedChannelException if the channel is or gets closed meanwhile
   * @throws java.io.InterruptedIOException if the waiting thread is interrupted
   */
  boolean awaitReady(long timeoutNanos) throws IOException;
}
