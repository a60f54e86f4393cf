package dev.fifochan;

import java.time.Duration;

/** Durations as people write them, for exception messages. */
final class Durations {
  private Durations() {}

  /** {@code 250 ms}, {@code 5 s}, {@code 2 min}, {@code 50 µs}; "no limit" for null. */
  static String human(Duration d) {
    if (d == null) {
      return "no limit";
    }
    long nanos = d.toNanos();
    if (nanos < 1_000_000 && nanos % 1000 == 0) {
      return (nanos / 1000) + " µs";
    }
    if (nanos < 1_000_000) {
      return nanos + " ns";
    }
    long ms = d.toMillis();
    if (ms % 60_000 == 0) {
      return (ms / 60_000) + " min";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + " s";
    }
    return ms + " ms";
  }
}
