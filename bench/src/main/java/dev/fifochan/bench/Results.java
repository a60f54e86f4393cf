package dev.fifochan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every trial's figures, by kind, placement, workload and variant, one array of values per round;
 * medians and spreads over the rounds; CSV files.
 *
 * <p>Kinds and their values:
 * <ul>
 *   <li>{@code tput} (placement ""): messages/s, payload bytes/s;
 *   <li>{@code cpu}: writer process, reader process CPU ns per message; {@code alloc}: heap bytes per message the writing and reading thread allocated; {@code cputhread}: the
 *       writing and reading thread's (NaN where the work runs on other threads);
 *   <li>{@code rtt} (placement different|same|none): p50, p90, p99, p99.9 in µs, calls/s with one caller;
 *   <li>{@code callsN}: calls/s with N callers, p50 and p99 in µs.
 * </ul>
 */
final class Results {
  static final String[] RTT_STATS = {"p50", "p90", "p99", "p99.9", "calls/s"};

  private final Map<String, List<double[]>> rows = new LinkedHashMap<>();

  static String key(String kind, String placement, String workload, String variant) {
    return kind + "|" + placement + "|" + workload + "|" + variant;
  }

  void add(String kind, String placement, String workload, String variant, double... values) {
    rows.computeIfAbsent(key(kind, placement, workload, variant), k -> new ArrayList<>()).add(values);
  }

  List<double[]> get(String kind, String placement, String workload, String variant) {
    return rows.getOrDefault(key(kind, placement, workload, variant), List.of());
  }

  boolean has(String kind, String placement, String workload, String variant) {
    return !get(kind, placement, workload, variant).isEmpty();
  }

  double median(String kind, String placement, String workload, String variant, int index) {
    return median(values(get(kind, placement, workload, variant), index));
  }

  double min(String kind, String placement, String workload, String variant, int index) {
    return values(get(kind, placement, workload, variant), index).stream().mapToDouble(d -> d).min().orElse(Double.NaN);
  }

  double max(String kind, String placement, String workload, String variant, int index) {
    return values(get(kind, placement, workload, variant), index).stream().mapToDouble(d -> d).max().orElse(Double.NaN);
  }

  private static List<Double> values(List<double[]> l, int index) {
    List<Double> v = new ArrayList<>();
    for (double[] d : l) {
      if (index < d.length && !Double.isNaN(d[index])) {
        v.add(d[index]);
      }
    }
    return v;
  }

  static double median(List<Double> l) {
    if (l.isEmpty()) {
      return Double.NaN;
    }
    double[] v = l.stream().mapToDouble(d -> d).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double median(double[] a) {
    List<Double> l = new ArrayList<>();
    for (double d : a) {
      l.add(d);
    }
    return median(l);
  }

  /** Variants with figures of this kind, placement and workload, in the order first recorded. */
  List<String> variants(String kind, String placement, String workload) {
    Set<String> s = new LinkedHashSet<>();
    String prefix = kind + "|" + placement + "|" + workload + "|";
    for (String k : rows.keySet()) {
      if (k.startsWith(prefix)) {
        s.add(k.substring(prefix.length()));
      }
    }
    return new ArrayList<>(s);
  }

  /** Percentile {@code p} (0..1) of sorted samples. */
  static double percentile(long[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.floor(sorted.length * p));
    return sorted[i];
  }

  /** Every round's values: kind,placement,workload,variant,round,values... */
  void writeTrials(Path file) throws IOException {
    StringBuilder s = new StringBuilder("kind,placement,workload,variant,round,values\n");
    rows.forEach((k, l) -> {
      String[] f = k.split("\\|", -1);
      for (int r = 0; r < l.size(); r++) {
        s.append(String.join(",", f)).append(',').append(r + 1);
        for (double d : l.get(r)) {
          s.append(',').append(fmtCsv(d));
        }
        s.append('\n');
      }
    });
    Files.writeString(file, s, StandardCharsets.UTF_8);
  }

  /** Medians and spreads: kind,placement,workload,variant,index,median,min,max,rounds. */
  void writeSummary(Path file) throws IOException {
    StringBuilder s = new StringBuilder("kind,placement,workload,variant,index,median,min,max,rounds\n");
    rows.forEach((k, l) -> {
      String[] f = k.split("\\|", -1);
      int width = l.stream().mapToInt(d -> d.length).max().orElse(0);
      for (int i = 0; i < width; i++) {
        s.append(String.join(",", f)).append(',').append(i).append(',')
            .append(fmtCsv(median(f[0], f[1], f[2], f[3], i))).append(',')
            .append(fmtCsv(min(f[0], f[1], f[2], f[3], i))).append(',')
            .append(fmtCsv(max(f[0], f[1], f[2], f[3], i))).append(',').append(l.size()).append('\n');
      }
    });
    Files.writeString(file, s, StandardCharsets.UTF_8);
  }

  /** Reads a summary.csv back (the memory probes' nested runs): key kind|placement|workload|variant|index to median. */
  static Map<String, Double> readSummary(Path file) throws IOException {
    Map<String, Double> m = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",", -1);
      m.put(String.join("|", Arrays.copyOfRange(f, 0, 5)), f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5]));
    }
    return m;
  }

  static String fmtCsv(double d) {
    return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.6g", d);
  }
}
