package dev.fifochan.cli;

import java.util.Locale;

/** Human-readable numbers for summaries and progress: {@code 1.2 M}, {@code 3.4 MB}, {@code 13.2 µs}. */
public final class Units {
  private Units() {}

  /** A count: exact below 10 000, else with k/M/G and one decimal. */
  public static String count(long n) {
    if (n < 10_000) {
      return Long.toString(n);
    }
    return scaled(n, 1000, new String[] {"", " k", " M", " G", " T"});
  }

  /** A byte count in binary-ish decimal units: {@code 512 B}, {@code 1.5 MB}. */
  public static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    return scaled(n, 1000, new String[] {" B", " kB", " MB", " GB", " TB"});
  }

  /** A duration in nanoseconds with a fitting unit: {@code 850 ns}, {@code 13.2 µs}, {@code 4.1 ms}, {@code 2.30 s}. */
  public static String nanos(long ns) {
    if (ns < 1_000) {
      return ns + " ns";
    }
    if (ns < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
    }
    if (ns < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
  }

  private static String scaled(long n, int base, String[] units) {
    double v = n;
    int i = 0;
    while (v >= base && i < units.length - 1) {
      v /= base;
      i++;
    }
    return String.format(Locale.ROOT, i == 0 ? "%.0f%s" : "%.1f%s", v, units[i]);
  }
}
