package dev.fifochan.internal;

import dev.fifochan.Deadline;
import dev.fifochan.WaitStrategy;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * One idle step of a wait loop that retries a non-blocking operation: spin, yield or park in the
 * channel's wait, as the {@link WaitStrategy} says, until the deadline.
 */
final class Waiting {
  private Waiting() {}

  /**
   * Idles once after the operation made no progress.
   *
   * @param idleSince {@link System#nanoTime()} when the operation first made no progress in this wait
   * @return false if the deadline has passed (or the channel's wait was woken and the deadline passed);
   *     true to retry the operation
   */
  static boolean idle(WaitStrategy strategy, WaitableChannel channel, Deadline deadline, long idleSince) throws IOException {
    if (deadline.hasExpired()) {
      return false;
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting for the transport");
    }
    if (!strategy.parksAtOnce()) {
      long idle = System.nanoTime() - idleSince;
      if (idle < strategy.spinNanos()) {
        Thread.onSpinWait();
        return true;
      }
      if (idle < strategy.spinNanos() + strategy.yieldNanos()) {
        Thread.yield();
        return true;
      }
    }
    if (channel == null) {
      Thread.onSpinWait(); // a blocking channel that returned 0: retry, it blocks by itself
      return true;
    }
    channel.awaitReady(deadline);
    return true; // ready, woken or timed out: the caller retries and re-checks its deadline and wake-ups
  }
}
