package dev.fifochan;

import java.time.Duration;
import java.util.Objects;

/**
 * An absolute point in time by which a call must return, on the {@link System#nanoTime()} clock, or
 * {@linkplain #none() no limit}.
 *
 * <p>A public method that takes a {@link Duration} makes one {@code Deadline} from it on entry and
 * passes that same instance down through every layer it waits in (the end's lock, the buffer, the
 * transport's wait), so the whole call returns within its timeout plus scheduling noise. No layer
 * re-derives a relative timeout. The transport SPI ({@code dev.fifochan.spi}) takes {@code Deadline}s.
 *
 * <p>Deadlines compare by their instant; {@link #none()} is later than every other deadline.
 * Instances are immutable and thread-safe.
 */
public final class Deadline implements Comparable<Deadline> {
  /** Largest budget in nanoseconds that is still a finite deadline (about 146 years). */
  private static final long MAX_BUDGET_NANOS = Long.MAX_VALUE / 2;
  private static final Deadline NONE = new Deadline(0, -1);

  /** The instant, a {@link System#nanoTime()} value; meaningless for {@link #none()}. */
  private final long atNanos;
  /** The budget the deadline was made from in nanoseconds, or -1 for {@link #none()}. */
  private final long budgetNanos;

  private Deadline(long atNanos, long budgetNanos) {
    this.atNanos = atNanos;
    this.budgetNanos = budgetNanos;
  }

  /** No limit: {@link #remainingNanos()} is {@link Long#MAX_VALUE} and it never expires. */
  public static Deadline none() {
    return NONE;
  }

  /**
   * A deadline {@code timeout} from now. A zero or negative timeout gives a deadline that has already
   * passed (a call with it tries once without waiting); a timeout longer than about 146 years is
   * capped there (use {@link #none()} for no limit).
   *
   * @throws NullPointerException if {@code timeout} is null
   */
  public static Deadline after(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
    return new Deadline(System.nanoTime() + nanos, nanos);
  }

  /** A deadline {@code nanos} nanoseconds from now (zero or negative: already passed). */
  public static Deadline afterNanos(long nanos) {
    long budget = Math.min(Math.max(0, nanos), MAX_BUDGET_NANOS);
    return new Deadline(System.nanoTime() + budget, budget);
  }

  /**
   * The deadline at {@code nanoTime}, a value of {@link System#nanoTime()}. Its {@link #timeout()} is
   * the time that was left when it was made.
   */
  public static Deadline atNanoTime(long nanoTime) {
    long left = nanoTime - System.nanoTime();
    return new Deadline(nanoTime, Math.max(0, left));
  }

  /** Whether this is {@link #none()}. */
  public boolean isNone() {
    return budgetNanos < 0;
  }

  /** Whether the deadline has passed (never for {@link #none()}). */
  public boolean hasExpired() {
    return budgetNanos >= 0 && atNanos - System.nanoTime() <= 0;
  }

  /**
   * Nanoseconds left: {@link Long#MAX_VALUE} for {@link #none()}, 0 once the deadline has passed,
   * otherwise at least 1.
   */
  public long remainingNanos() {
    if (budgetNanos < 0) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, atNanos - System.nanoTime());
  }

  /**
   * The instant as a {@link System#nanoTime()} value.
   *
   * @throws IllegalStateException for {@link #none()}, which has no instant
   */
  public long nanoTime() {
    if (budgetNanos < 0) {
      throw new IllegalStateException("Deadline.none() has no instant");
    }
    return atNanos;
  }

  /** The earlier of this deadline and {@code other}. */
  public Deadline min(Deadline other) {
    return compareTo(other) <= 0 ? this : other;
  }

  /**
   * The budget this deadline was made from, for messages (e.g. "no room within 200 ms"); {@code null}
   * for {@link #none()}.
   */
  public Duration timeout() {
    return budgetNanos < 0 ? null : Duration.ofNanos(budgetNanos);
  }

  @Override
  public int compareTo(Deadline other) {
    if (isNone() || other.isNone()) {
      return Boolean.compare(isNone(), other.isNone());
    }
    return Long.signum(atNanos - other.atNanos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deadline && compareTo((Deadline) o) == 0;
  }

  @Override
  public int hashCode() {
    return isNone() ? 0 : Long.hashCode(atNanos);
  }

  @Override
  public String toString() {
    if (isNone()) {
      return "Deadline[none]";
    }
    return "Deadline[" + Durations.human(Duration.ofNanos(budgetNanos)) + ", " + remainingNanos() + " ns left]";
  }

  private static long saturatedNanos(Duration d) {
    if (d.getSeconds() >= MAX_BUDGET_NANOS / 1_000_000_000L) {
      return MAX_BUDGET_NANOS;
    }
    return Math.min(d.toNanos(), MAX_BUDGET_NANOS);
  }
}
