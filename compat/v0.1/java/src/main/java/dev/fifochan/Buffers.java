package dev.fifochan;

import java.nio.ByteBuffer;

/** Allocation helpers shared by the frame reader and writer. */
final class Buffers {
  static final int PAGE = 4096;

  private Buffers() {}

  /**
   * A direct buffer of at least {@code size} bytes (rounded up to whole pages) that starts on a page
   * boundary: reads from a pipe into an unaligned buffer ran at half speed on the machines measured.
   */
  static ByteBuffer pageAlignedDirect(int size) {
    int pages = (int) ((size + (long) PAGE - 1) / PAGE);
    int bytes = pages * PAGE;
    ByteBuffer raw = ByteBuffer.allocateDirect(bytes + PAGE);
    ByteBuffer aligned = raw.alignedSlice(PAGE);
    aligned.limit(bytes);
    return aligned.slice();
  }

  static long deadline(long timeoutNanos) {
    if (timeoutNanos < 0) {
      return Long.MAX_VALUE;
    }
    long now = System.nanoTime();
    long d = now + timeoutNanos;
    return d < now ? Long.MAX_VALUE : d;
  }

  /**
   * Waits until {@code channel} is ready or {@code deadline} (a {@link System#nanoTime()} value,
   * {@link Long#MAX_VALUE} for none) passes. A blocking channel ({@code null}) is always "ready":
   * its next call blocks by itself.
   *
   * @return false if the deadline passed
   */
  static boolean await(WaitableChannel channel, long deadline) throws java.io.IOException {
    if (channel == null) {
      if (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline) {
        return false;
      }
      Thread.onSpinWait();
      return true;
    }
    long left = remaining(deadline);
    if (left == 0) {
      return false;
    }
    // Without a deadline a "not ready" answer is a spurious wake-up: try again.
    return channel.awaitReady(left) || deadline == Long.MAX_VALUE;
  }

  /** A duration as people write it: {@code 250 ms}, {@code 5 s}, {@code 2 min}. */
  static String human(java.time.Duration d) {
    long ms = d.toMillis();
    if (ms == 0 && !d.isZero()) {
      return (d.toNanos() / 1000) + " µs";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return (ms / 60_000) + " min";
    }
    if (ms % 1000 == 0 && ms > 0) {
      return (ms / 1000) + " s";
    }
    return ms + " ms";
  }

  /** Nanoseconds left until {@code deadline}: -1 for no limit, 0 if passed. */
  static long remaining(long deadline) {
    if (deadline == Long.MAX_VALUE) {
      return -1;
    }
    return Math.max(0, deadline - System.nanoTime());
  }
}
