package dev.fifochan;

import java.time.Duration;
import java.util.Objects;

/**
 * How a sender or receiver waits when the transport is not ready (the pipe is full, or empty).
 *
 * <ul>
 *   <li>{@link #park()} (the default) sleeps in the transport's wait ({@code ppoll} for a FIFO, a
 *       {@link java.nio.channels.Selector} for selectable channels) until the transport is ready.
 *       It costs no CPU while waiting, but waking a sleeping thread on another CPU takes tens of
 *       microseconds on virtual machines.</li>
 *   <li>{@link #spinning(Duration, Duration)} retries the non-blocking operation in a busy loop
 *       ({@link Thread#onSpinWait()}) for up to {@code spin}, then yields the CPU
 *       ({@link Thread#yield()}) between retries for up to {@code yield} more, and only then parks.
 *       It trades a CPU core for latency (Agrona's {@code BackoffIdleStrategy} is the model).</li>
 * </ul>
 *
 * <p>Both honour the call's {@link Deadline}, {@code close()} from another thread and interrupts.
 * Instances are immutable.
 */
public final class WaitStrategy {
  private static final WaitStrategy PARK = new WaitStrategy(0, 0);

  private final long spinNanos;
  private final long yieldNanos;

  private WaitStrategy(long spinNanos, long yieldNanos) {
    this.spinNanos = spinNanos;
    this.yieldNanos = yieldNanos;
  }

  /** Sleep in the transport's wait until it is ready (the default). */
  public static WaitStrategy park() {
    return PARK;
  }

  /**
   * Busy-spin for {@code spin}, then yield for {@code yield}, then park, counted from the moment the
   * transport was first found not ready in this wait.
   *
   * @throws IllegalArgumentException if a duration is negative
   */
  public static WaitStrategy spinning(Duration spin, Duration yield) {
    long s = nonNegativeNanos("spin", spin);
    long y = nonNegativeNanos("yield", yield);
    return s == 0 && y == 0 ? PARK : new WaitStrategy(s, y);
  }

  /** How long to busy-spin before yielding; zero for {@link #park()}. */
  public Duration spinDuration() {
    return Duration.ofNanos(spinNanos);
  }

  /** How long to yield between retries after spinning, before parking; zero for {@link #park()}. */
  public Duration yieldDuration() {
    return Duration.ofNanos(yieldNanos);
  }

  /** Whether this strategy parks at once, without spinning or yielding. */
  public boolean parksAtOnce() {
    return spinNanos == 0 && yieldNanos == 0;
  }

  /** Spin time in nanoseconds (for the wait loops). */
  public long spinNanos() {
    return spinNanos;
  }

  /** Yield time in nanoseconds, after the spin time (for the wait loops). */
  public long yieldNanos() {
    return yieldNanos;
  }

  @Override
  public String toString() {
    return parksAtOnce() ? "park" : "spinning(spin=" + Durations.human(spinDuration()) + ", yield=" + Durations.human(yieldDuration()) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WaitStrategy && ((WaitStrategy) o).spinNanos == spinNanos && ((WaitStrategy) o).yieldNanos == yieldNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(spinNanos) * 31 + Long.hashCode(yieldNanos);
  }

  private static long nonNegativeNanos(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative: " + d);
    }
    return d.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : d.toNanos();
  }
}
