package dev.fifochan.cli.demo;

import java.util.Arrays;

/** Round-trip times in nanoseconds, exact percentiles (every sample kept; a demo takes few). */
public final class Latencies {
  private final long[] samples;
  private int count;

  /** Room for {@code capacity} samples. */
  public Latencies(int capacity) {
    samples = new long[capacity];
  }

  /** Records one sample. */
  public void add(long nanos) {
    samples[count++] = nanos;
  }

  /** Samples recorded. */
  public int count() {
    return count;
  }

  /** The {@code p}-th percentile (0 &lt; p ≤ 100) by the nearest-rank method; 0 if empty. */
  public long percentile(double p) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, Math.min(count, rank) - 1)];
  }
}
