package dev.fifochan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a run as Markdown: tables with ratios against every peer, the extras, every target's verdict. */
final class Report {
  private final Harness h;
  private final Results r;
  private final Extras x;
  private final List<Target> targets = new ArrayList<>();
  private final List<Target> rpcTargets = new ArrayList<>();
  private final List<Target> natsTargets = new ArrayList<>();

  Report(Harness h) {
    this.h = h;
    this.r = h.results;
    this.x = h.extras;
  }

  /** One target: what, the measured figure (as shown), the target, the verdict. */
  static final class Target {
    final String measure;
    final String measured;
    final String target;
    final String verdict;

    Target(String measure, String measured, String target, String verdict) {
      this.measure = measure;
      this.measured = measured;
      this.target = target;
      this.verdict = verdict;
    }
  }

  static String fmt(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return "–";
    }
    double a = Math.abs(x);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", x);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", x);
    }
    if (a >= 0.01 || a == 0) {
      return String.format(Locale.ROOT, "%.2f", x);
    }
    return String.format(Locale.ROOT, "%.2g", x);
  }

  static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / b);
  }

  String label(String variant) {
    return Variant.byName(variant).label();
  }

  String workloadLabel(String wl) {
    return h.workload(wl).label;
  }

  static String placementText(String p) {
    switch (p) {
      case "different":
        return "processes on different CPUs";
      case "same":
        return "both processes on the same CPU";
      default:
        return "processes not pinned";
    }
  }

  String render() {
    StringBuilder s = new StringBuilder("\n");
    s.append(String.format(Locale.ROOT, "## Results: medians of %d interleaved round(s), %s%n%n", h.o.rounds, h.start));
    if (h.o.smoke) {
      s.append("**SMOKE RUN**: tiny counts, no warm-up; it proves that every variant, peer, extra, table and chart"
          + " works. None of its figures or verdicts is a measurement.\n\n");
    }
    s.append(String.format(Locale.ROOT, "- %s; java %s (%s), %d CPUs, kernel %s%n", h.pinning,
        System.getProperty("java.version"), System.getProperty("java.vm.name"), h.cores, System.getProperty("os.version")));
    s.append(String.format(Locale.ROOT, "- JVM options (both JVMs): `%s`%n", String.join(" ", Harness.jvmArgs())));
    s.append("- pipe size: fifochan ").append(Main.PIPE_SIZES.getOrDefault("fifochan", 0)).append(", raw/naive ")
        .append(h.baselinePipeSize).append(" (held open O_RDWR + F_SETPIPE_SZ), C ")
        .append(Main.PIPE_SIZES.getOrDefault("c", 0)).append(" (F_SETPIPE_SZ)\n");
    s.append("- load average (1/5/15 min) before: ").append(h.loadBefore).append("; after: ").append(h.loadAfter).append('\n');
    s.append("- messages per one-way trial: ");
    for (String wl : h.o.workloads) {
      s.append(wl).append(' ').append(String.format(Locale.ROOT, "%,d", h.o.count(wl, false))).append("; ");
    }
    s.append("gRPC: ×0.05 (64 KiB: ×0.5); ");
    s.append(String.format(Locale.ROOT, "round trips %,d after %,d warm-up; calls: %d callers × %,d%n", h.o.rttCount(false),
        h.o.rttWarmup(), h.o.callers, Math.max(1, h.o.rttCount(false) / h.o.callers)));
    s.append("- variants: ");
    for (String v : h.variants) {
      s.append('`').append(v).append("` ");
    }
    s.append('\n');
    h.skipped.forEach((v, why) -> s.append("- not run: `").append(v).append("`: ").append(why).append('\n'));
    s.append('\n');
    if (h.o.tput) {
      throughputTable(s);
    }
    if (h.o.rtt) {
      for (String p : h.o.placements) {
        rttTable(s, p);
      }
      for (String p : h.o.placements) {
        callsTable(s, p);
      }
    }
    extrasSections(s);
    computeTargets();
    s.append("### Targets (issue 14), from this run\n\n");
    if (h.o.smoke) {
      s.append("(smoke run: the verdicts only prove that every row is computed)\n\n");
    }
    targetTable(s, targets);
    s.append("### Request/response targets (issue 11), from this run\n\n");
    targetTable(s, rpcTargets);
    s.append("### NATS targets (issue 12), from this run\n\n");
    targetTable(s, natsTargets);
    return s.toString();
  }

  private void throughputTable(StringBuilder s) {
    s.append("### One-way throughput (writer in the peer JVM, reader in the parent)\n\n");
    s.append("CPU ns per message: the writing/reading thread (– where the work runs on other threads), in brackets the"
        + " whole process (10 ms resolution; for C the process). Heap B/msg: bytes the writing and reading thread"
        + " allocated per message (HotSpot's exact per-thread count; other threads not included)."
        + " Last column: fifochan's msg/s divided by this row's.\n\n");
    s.append("| message | variant | msg/s | MB/s | msg/s min–max | writer CPU ns/msg | reader CPU ns/msg | heap B/msg writer / reader | fifochan ÷ this |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String wl : h.o.workloads) {
      double f = r.median("tput", "", wl, "fifochan", 0);
      for (String v : ordered(r.variants("tput", "", wl))) {
        double m = r.median("tput", "", wl, v, 0);
        s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s–%s | %s | %s | %s / %s | %s |%n", workloadLabel(wl), label(v),
            rate(m), fmt(r.median("tput", "", wl, v, 1) / 1e6), rate(r.min("tput", "", wl, v, 0)), rate(r.max("tput", "", wl, v, 0)),
            cpu(wl, v, 0), cpu(wl, v, 1), fmt(r.median("alloc", "", wl, v, 0)), fmt(r.median("alloc", "", wl, v, 1)),
            v.equals("fifochan") ? "" : ratio(f, m)));
      }
    }
    s.append('\n');
  }

  private String cpu(String wl, String v, int side) {
    return fmt(r.median("cputhread", "", wl, v, side)) + " (" + fmt(r.median("cpu", "", wl, v, side)) + ")";
  }

  static String rate(double perSecond) {
    if (Double.isNaN(perSecond)) {
      return "–";
    }
    if (perSecond >= 1e6) {
      return fmt(perSecond / 1e6) + " M";
    }
    if (perSecond >= 1e3) {
      return fmt(perSecond / 1e3) + " k";
    }
    return fmt(perSecond);
  }

  /** fifochan variants first, then the order of {@link Variant#KNOWN}. */
  static List<String> ordered(List<String> vs) {
    List<String> out = new ArrayList<>();
    for (String k : Variant.KNOWN) {
      if (vs.contains(k)) {
        out.add(k);
      }
    }
    for (String v : vs) {
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  private void rttTable(StringBuilder s, String p) {
    boolean any = false;
    for (String wl : h.o.workloads) {
      any |= !r.variants("rtt", p, wl).isEmpty();
    }
    if (!any) {
      return;
    }
    s.append("### Round trip, ").append(placementText(p)).append("\n\n");
    s.append("Ping-pong, one message in flight (fifochan: flushDelay(ZERO), default waiting; C: blocking read/write;"
        + " Aeron: busy-spin, so not run with both processes on one CPU; gRPC: blocking unary call)."
        + " Last column: fifochan's p50 divided by this row's.\n\n");
    s.append("| message | variant | p50 µs | p90 µs | p99 µs | p99.9 µs | calls/s (1 caller) | p50 min–max | fifochan p50 ÷ this |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String wl : h.o.workloads) {
      double f = r.median("rtt", p, wl, "fifochan", 0);
      for (String v : ordered(r.variants("rtt", p, wl))) {
        double m = r.median("rtt", p, wl, v, 0);
        s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s–%s | %s |%n", workloadLabel(wl), label(v),
            fmt(m), fmt(r.median("rtt", p, wl, v, 1)), fmt(r.median("rtt", p, wl, v, 2)), fmt(r.median("rtt", p, wl, v, 3)),
            rate(r.median("rtt", p, wl, v, 4)), fmt(r.min("rtt", p, wl, v, 0)), fmt(r.max("rtt", p, wl, v, 0)),
            v.equals("fifochan") ? "" : ratio(f, m)));
      }
    }
    s.append('\n');
  }

  private void callsTable(StringBuilder s, String p) {
    String kind = "calls" + h.o.callers;
    boolean any = false;
    for (String wl : h.o.workloads) {
      any |= !r.variants(kind, p, wl).isEmpty();
    }
    if (!any) {
      return;
    }
    s.append("### Calls with ").append(h.o.callers).append(" concurrent callers (request/response), ")
        .append(placementText(p)).append("\n\n");
    s.append("| message | variant | calls/s | p50 µs | p99 µs |\n|---|---|---:|---:|---:|\n");
    for (String wl : h.o.workloads) {
      for (String v : ordered(r.variants(kind, p, wl))) {
        s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", workloadLabel(wl), label(v),
            rate(r.median(kind, p, wl, v, 0)), fmt(r.median(kind, p, wl, v, 1)), fmt(r.median(kind, p, wl, v, 2))));
      }
    }
    s.append('\n');
  }

  private void extrasSections(StringBuilder s) {
    if (x.status.isEmpty()) {
      return;
    }
    s.append("### Extras\n\n");
    x.status.forEach((e, st) -> s.append("- `").append(e).append("`: ").append(st).append('\n'));
    s.append('\n');
    if (!x.jmhNs.isEmpty()) {
      s.append("JMH in this run (").append(h.o.smoke ? "smoke: in-process, 1 × 100 ms" : "1 fork, 3 × 1 s warm-up, "
          + (h.o.quick ? 3 : 5) + " × 1 s").append(", GC profiler):\n\n| benchmark | ns/op | B/op |\n|---|---:|---:|\n");
      x.jmhNs.forEach((k, v) -> s.append("| ").append(k).append(" | ").append(fmt(v)).append(" | ")
          .append(fmt(x.jmhAlloc.getOrDefault(k, Double.NaN))).append(" |\n"));
      s.append(String.format(Locale.ROOT, "%nCodec ceiling, 1 / max(encode, decode): protobuf Ping %s msg/s, JSON record %s msg/s%n%n",
          rate(ceiling("protobuf")), rate(ceiling("json"))));
    }
    if (!x.firstOpenMs.isEmpty()) {
      s.append(String.format(Locale.ROOT, "First FIFO open in a fresh JVM (%s): median %s ms (runs: %s); process start to"
          + " opened: median %s ms%n%n", x.firstOpenHow, fmt(Results.median(x.firstOpenMs)), list(x.firstOpenMs),
          fmt(Results.median(x.firstOpenJvmMs))));
    }
    if (!x.cliSeconds.isEmpty()) {
      s.append(String.format(Locale.ROOT, "`%s` with a reader, end to end: median %s s (runs: %s)%n%n", x.cliCommand,
          fmt(Results.median(x.cliSeconds)), list(x.cliSeconds)));
    }
    if (!x.goCommand.isEmpty()) {
      s.append("Go, `").append(x.goCommand).append("` (one process, two goroutines, not pinned):\n\n");
      s.append("| benchmark | msg/s (median) | runs |\n|---|---:|---:|\n");
      for (String b : Extras.GO_BENCHMARKS.values()) {
        List<Double> l = x.go.get(b);
        s.append("| ").append(b).append(" | ").append(l == null ? "n/a (no such benchmark)" : rate(Results.median(l)))
            .append(" | ").append(l == null ? 0 : l.size()).append(" |\n");
      }
      s.append('\n');
    }
    if (!x.mem64.isEmpty()) {
      s.append("Memory: fifochan one-way in fresh JVM pairs, alternating heaps (msg/s, medians):\n\n");
      s.append("| message | -Xmx64m | -Xmx1g | 64m ÷ 1g |\n|---|---:|---:|---:|\n");
      for (String wl : x.memoryWorkloads) {
        double a = Results.median(x.mem64.getOrDefault(wl, List.of()));
        double b = Results.median(x.mem1g.getOrDefault(wl, List.of()));
        s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", workloadLabel(wl), rate(a), rate(b), ratio(a, b)));
      }
      s.append('\n');
    }
  }

  static String list(List<Double> l) {
    List<String> out = new ArrayList<>();
    for (double d : l) {
      out.add(fmt(d));
    }
    return String.join(", ", out);
  }

  /** 1 / max(encode, decode) in messages per second, from this run's JMH figures; NaN without them. */
  double ceiling(String codec) {
    Double enc = x.jmhNs.get("CodecBench." + codec + "Encode");
    Double dec = x.jmhNs.get("CodecBench." + codec + "DecodeDirect");
    return enc == null || dec == null ? Double.NaN : 1e9 / Math.max(enc, dec);
  }

  // ---- targets ----

  /** Why a figure is missing: the variant was not run (with its reason), or nothing was measured. */
  private String missing(String... variants) {
    for (String v : variants) {
      if (h.skipped.containsKey(v)) {
        return v + " not run: " + h.skipped.get(v);
      }
      String why = Variant.byName(v).unavailable();
      if (why != null) {
        return v + ": " + why;
      }
      if (!h.o.variants.contains(v)) {
        return v + " not among --variants";
      }
    }
    return "not measured in this run (workload or placement not run?)";
  }

  private Target ratioTarget(String measure, double a, double b, boolean atLeast, double limit, String... needs) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return new Target(measure, "–", (atLeast ? "≥ " : "≤ ") + fmt(limit), "n/a (" + missing(needs) + ")");
    }
    double q = a / b;
    boolean met = atLeast ? q >= limit : q <= limit;
    return new Target(measure, String.format(Locale.ROOT, "%.2f (%s vs %s)", q, fmt(a), fmt(b)),
        (atLeast ? "≥ " : "≤ ") + fmt(limit), met ? "MET" : "MISSED");
  }

  private Target valueTarget(String measure, double v, String unit, double limit, String missingWhy) {
    if (Double.isNaN(v)) {
      return new Target(measure, "–", "≤ " + fmt(limit) + " " + unit, "n/a (" + missingWhy + ")");
    }
    return new Target(measure, fmt(v) + " " + unit, "≤ " + fmt(limit) + " " + unit, v <= limit ? "MET" : "MISSED");
  }

  private double tput(String wl, String v) {
    return r.median("tput", "", wl, v, 0);
  }

  private String extraWhy(String e) {
    return x.status.getOrDefault(e, "extra " + e + " not run (see --extras)");
  }

  void computeTargets() {
    targets.clear();
    rpcTargets.clear();
    natsTargets.clear();
    targets.add(ratioTarget("100 B `byte[]` one-way, vs raw FileChannel", tput("bytes100", "fifochan"), tput("bytes100", "raw"),
        true, 0.75, "fifochan", "raw"));
    targets.add(ratioTarget("64 KiB `byte[]` one-way, vs raw", tput("bytes64k", "fifochan"), tput("bytes64k", "raw"), true, 0.95,
        "fifochan", "raw"));
    targets.add(ratioTarget("(same, zero-copy receive `pollFrames`) 100 B one-way, vs raw", tput("bytes100", "fifochan-frames"),
        tput("bytes100", "raw"), true, 0.75, "fifochan-frames", "raw"));
    targets.add(ratioTarget("(same, zero-copy receive `pollFrames`) 64 KiB one-way, vs raw", tput("bytes64k", "fifochan-frames"),
        tput("bytes64k", "raw"), true, 0.95, "fifochan-frames", "raw"));
    targets.add(ratioTarget("protobuf `Ping` one-way, vs naive", tput("proto", "fifochan"), tput("proto", "naive"), true, 1.2,
        "fifochan", "naive"));
    targets.add(ratioTarget("JSON record one-way, vs naive", tput("json", "fifochan"), tput("json", "naive"), true, 1.1,
        "fifochan", "naive"));
    double pc = tput("proto", "fifochan") / ceiling("protobuf");
    double jc = tput("json", "fifochan") / ceiling("json");
    if (Double.isNaN(pc) || Double.isNaN(jc)) {
      targets.add(new Target("protobuf and JSON one-way, vs the codec's ceiling (1 / max(encode, decode), JMH, same run)", "–",
          "≥ 0.90", "n/a (" + (x.jmhNs.isEmpty() ? extraWhy("jmh") : missing("fifochan")) + ")"));
    } else {
      targets.add(new Target("protobuf and JSON one-way, vs the codec's ceiling (1 / max(encode, decode), JMH, same run)",
          String.format(Locale.ROOT, "protobuf %.2f, JSON %.2f", pc, jc), "≥ 0.90", pc >= 0.9 && jc >= 0.9 ? "MET" : "MISSED"));
    }
    targets.add(ratioTarget("100 B one-way, vs Aeron IPC", tput("bytes100", "fifochan"), tput("bytes100", "aeron"), true, 1.0,
        "fifochan", "aeron"));
    targets.add(ratioTarget("64 KiB one-way, vs Aeron IPC", tput("bytes64k", "fifochan"), tput("bytes64k", "aeron"), true, 0.6,
        "fifochan", "aeron"));
    targets.add(ratioTarget("round trip p50 cross-CPU with the spinning idle strategy, vs C blocking ping-pong",
        r.median("rtt", "different", "bytes100", "fifochan-spin", 0), r.median("rtt", "different", "bytes100", "c", 0), false, 0.2,
        "fifochan-spin", "c"));
    targets.add(ratioTarget("round trip p50 same CPU, default, vs C ping-pong", r.median("rtt", "same", "bytes100", "fifochan", 0),
        r.median("rtt", "same", "bytes100", "c", 0), false, 1.2, "fifochan", "c"));
    targets.add(ratioTarget("throughput at 100 B, vs gRPC-UDS streaming", tput("bytes100", "fifochan"), tput("bytes100", "grpc"),
        true, 50, "fifochan", "grpc"));
    targets.add(valueTarget("`echo x \\| fifochan send F` end to end (`--codec string`)",
        x.cliSeconds.isEmpty() ? Double.NaN : Results.median(x.cliSeconds), "s", 0.4, extraWhy("cli")));
    targets.add(goTarget("Go: 100 B `[]byte` typed `Sender`, vs Go raw frames batched", "typed100", "raw100", 0.7));
    targets.add(goTarget("Go: 64 KiB `[]byte`, vs Go raw frames", "typed64k", "raw64k", 0.9));
    targets.add(goTarget("Go: 100 B, vs the original Go idea in the same run", "typed100", "idea100", 20));
    targets.add(valueTarget("first FIFO open in a fresh JVM", x.firstOpenMs.isEmpty() ? Double.NaN : Results.median(x.firstOpenMs),
        "ms", 150, extraWhy("first-open")));
    for (String wl : List.of("bytes100", "bytes64k")) {
      double a = Results.median(x.mem64.getOrDefault(wl, List.of()));
      double b = Results.median(x.mem1g.getOrDefault(wl, List.of()));
      String m = "memory: " + workloadLabel(wl) + " one-way at `-Xmx64m` vs `-Xmx1g`";
      targets.add(Double.isNaN(a) || Double.isNaN(b) ? new Target(m, "–", "≥ 0.90", "n/a (" + extraWhy("memory") + ")")
          : ratioTarget(m, a, b, true, 0.9));
    }
    Double send = x.jmhAlloc.get("ApiBench.send/100");
    Double recv = x.jmhAlloc.get("ApiBench.receiveFrames/100");
    Double typed = x.jmhAlloc.get("ApiBench.receiveHandler/100");
    String gm = "JMH `-prof gc`, 100 B `byte[]` through the public API: `send`, handler receive of the frame"
        + " (`pollFrames`; the typed `poll(MessageHandler)` hands over a new `byte[]`: "
        + (typed == null ? "n/a" : fmt(typed)) + " B/op)";
    if (send == null || recv == null) {
      targets.add(new Target(gm, "–", "0 B/op", "n/a (" + extraWhy("jmh") + ")"));
    } else {
      targets.add(new Target(gm, fmt(send) + " and " + fmt(recv) + " B/op", "0 B/op (< 1)", send < 1 && recv < 1 ? "MET" : "MISSED"));
    }

    // issue 11: fifochan request/response beside gRPC unary and the raw ping-pong, same run, same placements
    String callsKind = "calls" + h.o.callers;
    rpcTargets.add(ratioTarget("call p50 (small protobuf), default waiting, vs gRPC-UDS unary p50",
        r.median("rtt", "different", "proto", "fifochan-rpc", 0), r.median("rtt", "different", "proto", "grpc", 0), false, 0.5,
        "fifochan-rpc", "grpc"));
    rpcTargets.add(ratioTarget("call p50 with the spinning idle strategy, vs gRPC-UDS unary p50",
        r.median("rtt", "different", "proto", "fifochan-rpc-spin", 0), r.median("rtt", "different", "proto", "grpc", 0), false, 0.2,
        "fifochan-rpc-spin", "grpc"));
    rpcTargets.add(ratioTarget("calls/s with " + h.o.callers + " callers, vs gRPC-UDS",
        r.median(callsKind, "different", "proto", "fifochan-rpc", 0), r.median(callsKind, "different", "proto", "grpc", 0), true, 5,
        "fifochan-rpc", "grpc"));
    rpcTargets.add(ratioTarget("call p50 over the raw FIFO ping-pong (same bytes, Java raw)",
        r.median("rtt", "different", "proto", "fifochan-rpc", 0), r.median("rtt", "different", "proto", "raw", 0), false, 1.2,
        "fifochan-rpc", "raw"));
    for (String v : List.of("fifochan-rpc", "fifochan-rpc-spin")) {
      for (String pl : List.of("different", "same")) {
        if (Double.isNaN(r.median("rtt", pl, "proto", v, 0))) {
          continue;
        }
        rpcTargets.add(new Target("for reference: " + v + " (" + pl + " CPU" + (pl.equals("same") ? "" : "s")
            + ") p50 / p99, calls/s with 1 and " + h.o.callers + " callers",
            fmt(r.median("rtt", pl, "proto", v, 0)) + " / " + fmt(r.median("rtt", pl, "proto", v, 2))
                + " µs, " + rate(r.median("rtt", pl, "proto", v, 4)) + " and "
                + rate(r.median(callsKind, pl, "proto", v, 0)) + " calls/s", "–", "–"));
      }
    }
    rpcTargets.add(new Target("for reference: gRPC-UDS unary p50 / p99, calls/s with 1 and " + h.o.callers + " callers",
        fmt(r.median("rtt", "different", "proto", "grpc", 0)) + " / " + fmt(r.median("rtt", "different", "proto", "grpc", 2))
            + " µs, " + rate(r.median("rtt", "different", "proto", "grpc", 4)) + " and "
            + rate(r.median(callsKind, "different", "proto", "grpc", 0)) + " calls/s", "–", "–"));
    rpcTargets.add(new Target("for reference: raw FIFO ping-pong p50 / p99, Java raw (protobuf bytes) and C (100 B)",
        fmt(r.median("rtt", "different", "proto", "raw", 0)) + " / " + fmt(r.median("rtt", "different", "proto", "raw", 2))
            + " µs and " + fmt(r.median("rtt", "different", "bytes100", "c", 0)) + " / "
            + fmt(r.median("rtt", "different", "bytes100", "c", 2)) + " µs", "–", "–"));
    natsTargets();
  }

  /**
   * Issue 12's rows: fifochan over core NATS beside plain jnats ({@code fifochan-nats} vs {@code jnats}) and
   * over JetStream beside plain JetStream ({@code fifochan-nats-js} vs {@code jnats-js}): one-way ≥ 0.9×,
   * round trip p50 ≤ 1.1×.
   */
  private void natsTargets() {
    for (String[] pair : new String[][] {{"fifochan-nats", "jnats", "core NATS"}, {"fifochan-nats-js", "jnats-js", "JetStream"}}) {
      for (String wl : List.of("bytes100", "bytes64k", "proto", "json")) {
        natsTargets.add(ratioTarget("fifochan over " + pair[2] + " vs plain jnats, " + workloadLabel(wl) + " one-way",
            tput(wl, pair[0]), tput(wl, pair[1]), true, 0.9, pair[0], pair[1]));
      }
      natsTargets.add(ratioTarget("fifochan over " + pair[2] + " vs plain jnats, round trip p50 (protobuf)",
          r.median("rtt", "different", "proto", pair[0], 0), r.median("rtt", "different", "proto", pair[1], 0), false, 1.1,
          pair[0], pair[1]));
    }
  }

  private Target goTarget(String measure, String a, String b, double limit) {
    double va = x.goMedian(a);
    double vb = x.goMedian(b);
    if (Double.isNaN(va) || Double.isNaN(vb)) {
      String why = x.goCommand.isEmpty() ? extraWhy("go")
          : "no " + (Double.isNaN(va) ? Extras.GO_BENCHMARKS.get(a) : Extras.GO_BENCHMARKS.get(b)) + " in go/bench_test.go";
      return new Target(measure, "–", "≥ " + fmt(limit), "n/a (" + why + ")");
    }
    return ratioTarget(measure, va, vb, true, limit);
  }

  private static void targetTable(StringBuilder s, List<Target> ts) {
    s.append("| measure | measured | target | verdict |\n|---|---|---|---|\n");
    for (Target t : ts) {
      s.append("| ").append(t.measure).append(" | ").append(t.measured).append(" | ").append(t.target).append(" | ")
          .append(t.verdict).append(" |\n");
    }
    s.append('\n');
  }

  void writeTargets(Path file) throws IOException {
    StringBuilder s = new StringBuilder("issue,measure,measured,target,verdict\n");
    for (Map.Entry<String, List<Target>> e : Map.of("14", targets, "11", rpcTargets, "12", natsTargets).entrySet()) {
      for (Target t : e.getValue()) {
        s.append(e.getKey()).append(',').append(csv(t.measure.replace("\\|", "|"))).append(',').append(csv(t.measured)).append(',')
            .append(csv(t.target)).append(',').append(csv(t.verdict)).append('\n');
      }
    }
    Files.writeString(file, s, StandardCharsets.UTF_8);
  }

  private static String csv(String v) {
    return "\"" + v.replace("\"", "\"\"") + "\"";
  }
}
