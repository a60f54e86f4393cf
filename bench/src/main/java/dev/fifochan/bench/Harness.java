package dev.fifochan.bench;

import dev.fifochan.fifo.Fifo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One benchmark run: the parent's side (see {@link Main}). */
final class Harness {
  final Main.Options o;
  final Results results = new Results();
  final Extras extras;
  /** Variants that did not run, with the reason. */
  final Map<String, String> skipped = new LinkedHashMap<>();
  /** Problems that make the run fail (lost messages, a required peer missing under CI). */
  final List<String> failures = new ArrayList<>();
  final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "watchdog");
    t.setDaemon(true);
    return t;
  });
  final Map<String, Workload<?>> workloads = new LinkedHashMap<>();
  List<String> variants;
  Process child;
  PrintWriter toChild;
  BufferedReader fromChild;
  Path dir;
  Path resultsDir;
  int baselinePipeSize;
  int cores;
  String pinning;
  String loadBefore;
  String loadAfter;
  Instant start;

  Harness(Main.Options o) {
    this.o = o;
    this.extras = new Extras(this);
  }

  int run() throws Exception {
    cores = Runtime.getRuntime().availableProcessors();
    loadBefore = Main.loadavg();
    start = Instant.now();
    resultsDir = o.resultsDir != null ? o.resultsDir
        : Paths.get("target", "bench-results", DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(start));
    Files.createDirectories(resultsDir);
    pinning = pin();
    dir = Files.createTempDirectory("fifochan-bench");
    System.setProperty(BenchEnv.RUN_DIR, dir.toString());
    System.setProperty(BenchEnv.AERON_DIR, AeronPeer.directory(dir).toString());
    Path a = Fifo.create(dir.resolve("a"));
    Path b = Fifo.create(dir.resolve("b"));
    System.out.printf(Locale.ROOT, "# fifochan cross-process benchmark: %d round(s)%s, %s%s%n", o.rounds,
        o.warmupRound ? " after 1 warm-up round" : "", pinning, o.smoke ? "; SMOKE RUN (counts only, figures mean nothing)" : "");
    System.out.println("# load average before: " + loadBefore + "; results: " + resultsDir.toAbsolutePath());
    chooseVariants();
    try {
      startChild();
      prepareVariants();
      for (int round = 0; round < o.rounds + (o.warmupRound ? 1 : 0); round++) {
        boolean warmup = o.warmupRound && round == 0;
        long t = System.nanoTime();
        round(round, warmup, a, b);
        System.out.printf(Locale.ROOT, "# %s %d done in %.1f s, load %s%n", warmup ? "warm-up round" : "round",
            warmup ? 0 : round + (o.warmupRound ? 0 : 1), (System.nanoTime() - t) / 1e9, Main.loadavg());
      }
    } finally {
      stopChild();
      for (String v : variants) {
        Variant.byName(v).release(true);
      }
      Files.deleteIfExists(a);
      Files.deleteIfExists(b);
      deleteTree(dir);
    }
    extras.runAll(o);
    loadAfter = Main.loadavg();
    Report report = new Report(this);
    String text = report.render();
    System.out.print(text);
    Files.writeString(resultsDir.resolve("results.md"), text, StandardCharsets.UTF_8);
    results.writeTrials(resultsDir.resolve("trials.csv"));
    results.writeSummary(resultsDir.resolve("summary.csv"));
    report.writeTargets(resultsDir.resolve("targets.csv"));
    if (o.charts) {
      try {
        List<Path> charts = new Charts(this).writeAll(resultsDir.resolve("charts"));
        System.out.println("# charts: " + charts.size() + " PNG files in " + resultsDir.resolve("charts").toAbsolutePath());
      } catch (Throwable e) { // a headless JDK without fonts must not lose the run's figures
        failures.add("charts: " + e);
        System.err.println("charts FAILED: " + e);
      }
    }
    if (!failures.isEmpty()) {
      System.out.println("\n**FAILED**: " + String.join("; ", failures));
    }
    return failures.isEmpty() ? 0 : 1;
  }

  /** Drops variants that cannot run here (with the reason); under CI a required peer that cannot run fails the run. */
  void chooseVariants() {
    if (o.variants.contains("c") && BenchEnv.cBin() == null) {
      Path bin = CPeer.compile(BenchEnv.repoRoot(), dir.resolve("c-bin"));
      if (bin != null) {
        System.setProperty(BenchEnv.C_BIN, bin.toString());
      }
    }
    variants = new ArrayList<>();
    for (String name : o.variants) {
      String why = Variant.byName(name).unavailable();
      if (why == null) {
        variants.add(name);
      } else {
        skip(name, why);
      }
    }
  }

  void skip(String name, String why) {
    skipped.put(name, why);
    boolean required = Main.REQUIRED_UNDER_CI.contains(name) && BenchEnv.ci();
    System.out.println("# " + (required ? "FAILED (CI=true: this peer must run)" : "skipped") + ": " + name + ": " + why);
    if (required) {
      failures.add(name + " could not run under CI: " + why);
    }
  }

  void prepareVariants() throws Exception {
    for (String name : new ArrayList<>(variants)) {
      try {
        Variant.byName(name).prepare(true);
        toChild.println("PREPARE " + name);
        String reply = fromChild.readLine();
        if (reply == null || !reply.startsWith("DONE")) {
          throw new IllegalStateException("the peer JVM answered " + reply);
        }
      } catch (Exception | LinkageError e) {
        variants.remove(name);
        skip(name, "set-up failed: " + e);
      }
    }
  }

  Workload<?> workload(String name) {
    return workloads.computeIfAbsent(name, Workload::byName);
  }

  static List<String> rotated(List<String> list, int by) {
    List<String> r = new ArrayList<>(list);
    if (!r.isEmpty()) {
      Collections.rotate(r, -(by % r.size()));
    }
    return r;
  }

  void round(int round, boolean warmup, Path a, Path b) throws Exception {
    int rotate = round;
    if (o.tput) {
      for (String wl : o.workloads) {
        for (String v : rotated(variants, rotate++)) {
          if (Variant.byName(v).supportsThroughput(workload(wl))) {
            throughput(v, wl, a, warmup);
          }
        }
      }
    }
    if (!o.rtt) {
      return;
    }
    for (String placement : o.placements) {
      boolean repin = o.cpus.equals("different") && placement.equals("same");
      if (repin) {
        pinChild("0");
      }
      try {
        for (String wl : o.workloads) {
          if (!Main.RTT_WORKLOADS.contains(wl)) {
            continue;
          }
          for (String v : rotated(variants, rotate++)) {
            if (Variant.byName(v).supportsRoundTrip(workload(wl), placement)) {
              roundTrip(v, wl, placement, a, b, warmup);
            }
          }
        }
        for (String wl : o.workloads) {
          for (String v : rotated(variants, rotate++)) {
            Variant var = Variant.byName(v);
            if (var.supportsCalls(workload(wl)) && var.supportsRoundTrip(workload(wl), placement)) {
              calls(v, wl, placement, a, b, warmup);
            }
          }
        }
      } finally {
        if (repin) {
          pinChild("1");
        }
      }
    }
  }

  String pin() throws Exception {
    if (o.cpus.equals("none")) {
      return "processes not pinned";
    }
    taskset("0", ProcessHandle.current().pid());
    return o.cpus.equals("same") ? "both processes pinned to CPU 0 (same CPU)"
        : "parent pinned to CPU 0, peer to CPU 1 (different CPUs; round trips also with the peer moved to CPU 0)";
  }

  void pinChild(String cpu) throws Exception {
    taskset(cpu, child.pid());
  }

  static void taskset(String cpu, long pid) throws Exception {
    Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, Long.toString(pid)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("taskset failed: " + out);
    }
  }

  /**
   * {@code cmd} run on every CPU: this JVM is pinned (and its children inherit that), but the extras'
   * processes (Go benchmarks, a fresh JVM's first open, the CLI) run as a user's would.
   */
  List<String> onAllCpus(List<String> cmd) {
    if (o.cpus.equals("none")) {
      return cmd;
    }
    List<String> l = new ArrayList<>(List.of("taskset", "-c", "0-" + (cores - 1)));
    l.addAll(cmd);
    return l;
  }

  /** The JVM options of this process, without agents and flight recordings (for the peer and nested runs). */
  static List<String> jvmArgs() {
    List<String> l = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agent") && !arg.startsWith("-javaagent") && !arg.contains("FlightRecord")) {
        l.add(arg);
      }
    }
    return l;
  }

  static String javaCommand() {
    return ProcessHandle.current().info().command().orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
  }

  void startChild() throws IOException {
    List<String> cmd = new ArrayList<>();
    if (!o.cpus.equals("none")) {
      cmd.addAll(List.of("taskset", "-c", o.cpus.equals("same") ? "0" : "1"));
    }
    cmd.add(javaCommand());
    if (o.childJvmArgs != null) {
      cmd.addAll(Arrays.asList(o.childJvmArgs.trim().split("\\s+")));
    } else {
      cmd.addAll(jvmArgs());
    }
    for (String p : List.of(BenchEnv.RUN_DIR, BenchEnv.AERON_DIR, BenchEnv.C_BIN)) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--peer"));
    child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    toChild = new PrintWriter(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8), true);
    fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String hello = fromChild.readLine();
    for (int i = 0; i < 10 && hello != null && !hello.equals("PEER") && hello.startsWith("Profiling"); i++) {
      hello = fromChild.readLine(); // an agent's banner on stdout (async-profiler: "Profiling started")
    }
    if (!"PEER".equals(hello)) {
      throw new IllegalStateException("peer did not start: " + hello);
    }
  }

  void stopChild() throws InterruptedException {
    if (child != null) {
      toChild.println("QUIT");
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    watchdog.shutdownNow();
  }

  ScheduledFuture<?> arm(String what) {
    return watchdog.schedule(() -> {
      System.err.println("watchdog: " + what + " took more than 300 s; giving up");
      child.destroyForcibly();
      Runtime.getRuntime().halt(3);
    }, 300, TimeUnit.SECONDS);
  }

  String childReply(String what) throws IOException {
    String line = fromChild.readLine();
    if (line == null || !line.startsWith("DONE")) {
      throw new IllegalStateException(what + ": peer answered " + line);
    }
    return line;
  }

  int count(Variant v, String wl, boolean warmup) {
    return (int) Math.max(1, Math.round(o.count(wl, warmup) * v.countScale(workload(wl))));
  }

  void fail(String what, Throwable e) {
    failures.add(what + ": " + e);
    System.err.println(what + " FAILED: " + e);
  }

  void throughput(String variantName, String workloadName, Path fifo, boolean warmup) throws Exception {
    Variant v = Variant.byName(variantName);
    Workload<?> w = workload(workloadName);
    int count = count(v, workloadName, warmup);
    String what = "throughput " + variantName + " " + workloadName;
    ScheduledFuture<?> dog = arm(what);
    PipeHold hold = v.needsPipeHold() ? new PipeHold(fifo, Main.PIPE_SIZE) : null;
    try {
      if (hold != null) {
        baselinePipeSize = hold.pipeSize;
      }
      v.beforePeerWrites(w, count);
      toChild.println("TPUT " + variantName + " " + workloadName + " " + count + " " + fifo);
      long tEnd;
      long c0 = Main.cpuNanos();
      long m0 = Main.threadCpuNanos();
      long a0 = Main.threadAllocatedBytes();
      long readerCpu;
      long readerMain;
      long readerAlloc;
      try {
        tEnd = v.read(w, count, fifo);
        readerMain = Main.threadCpuNanos() - m0;
        readerCpu = Main.cpuNanos() - c0;
        readerAlloc = a0 < 0 ? -1 : Main.threadAllocatedBytes() - a0;
      } catch (RuntimeException | IOException e) {
        fail(what, e);
        childReply(what);
        return;
      }
      String[] reply = childReply(what).split(" ");
      long t0 = Long.parseLong(reply[1]);
      long writerCpu = Long.parseLong(reply[2]);
      long writerMain = Long.parseLong(reply[3]);
      long writerAlloc = reply.length > 4 ? Long.parseLong(reply[4]) : -1;
      if (v.externalCpu >= 0) {
        readerCpu = v.externalCpu;
        readerMain = v.externalCpu;
      }
      double secs = (tEnd - t0) / 1e9;
      double msgs = count / secs;
      double bytes = payloadBytes(w, count) / secs;
      boolean threads = v.cpuOnCallingThread();
      if (!warmup) {
        results.add("tput", "", workloadName, variantName, msgs, bytes);
        results.add("cpu", "", workloadName, variantName, (double) writerCpu / count, (double) readerCpu / count);
        results.add("cputhread", "", workloadName, variantName, threads ? (double) writerMain / count : Double.NaN,
            threads ? (double) readerMain / count : Double.NaN);
        results.add("alloc", "", workloadName, variantName, threads && writerAlloc >= 0 ? (double) writerAlloc / count : Double.NaN,
            threads && readerAlloc >= 0 && v.externalCpu < 0 ? (double) readerAlloc / count : Double.NaN);
      }
      System.out.printf(Locale.ROOT, "%s %-5s %-8s %-20s %,14.0f msg/s %9.1f MB/s  (%,d msgs in %.3f s;"
          + " CPU ns/msg writer %.0f (thread %s), reader %.0f (thread %s); heap B/msg of the threads writer %s, reader %s)%n",
          warmup ? "  warm-up" : "  ", "tput", workloadName, variantName, msgs, bytes / 1e6, count, secs,
          (double) writerCpu / count, threads ? String.format(Locale.ROOT, "%.0f", (double) writerMain / count) : "–",
          (double) readerCpu / count, threads ? String.format(Locale.ROOT, "%.0f", (double) readerMain / count) : "–",
          threads && writerAlloc >= 0 ? String.format(Locale.ROOT, "%.1f", (double) writerAlloc / count) : "–",
          threads && readerAlloc >= 0 && v.externalCpu < 0 ? String.format(Locale.ROOT, "%.1f", (double) readerAlloc / count) : "–");
    } finally {
      if (hold != null) {
        hold.close();
      }
      dog.cancel(false);
    }
  }

  void roundTrip(String variantName, String workloadName, String placement, Path a, Path b, boolean warmup) throws Exception {
    Variant v = Variant.byName(variantName);
    Workload<?> w = workload(workloadName);
    int count = o.rttCount(warmup);
    int warm = o.rttWarmup();
    String what = "round trip " + variantName + " " + workloadName + " (" + placement + ")";
    ScheduledFuture<?> dog = arm(what);
    PipeHold ha = v.needsPipeHold() ? new PipeHold(a, Main.PIPE_SIZE) : null;
    PipeHold hb = v.needsPipeHold() ? new PipeHold(b, Main.PIPE_SIZE) : null;
    try {
      toChild.println("ECHO " + variantName + " " + workloadName + " " + (warm + count) + " " + a + " " + b);
      long[] rtt;
      try {
        rtt = v.ping(w, warm, count, a, b);
        expectSamples(rtt, count, what);
      } catch (RuntimeException | IOException e) {
        fail(what, e);
        childReply(what);
        return;
      }
      childReply(what);
      long sum = 0;
      for (long x : rtt) {
        sum += x;
      }
      Arrays.sort(rtt);
      double[] vals = {Results.percentile(rtt, 0.50) / 1e3, Results.percentile(rtt, 0.90) / 1e3,
          Results.percentile(rtt, 0.99) / 1e3, Results.percentile(rtt, 0.999) / 1e3, count / (sum / 1e9)};
      if (!warmup) {
        results.add("rtt", placement, workloadName, variantName, vals);
      }
      System.out.printf(Locale.ROOT, "%s %-5s %-8s %-20s p50 %8.2f us  p99 %8.2f us  %,10.0f calls/s  (%,d round trips, %s)%n",
          warmup ? "  warm-up" : "  ", "rtt", workloadName, variantName, vals[0], vals[2], vals[4], count, placement);
    } finally {
      if (ha != null) {
        ha.close();
        hb.close();
      }
      dog.cancel(false);
    }
  }

  void calls(String variantName, String workloadName, String placement, Path a, Path b, boolean warmup) throws Exception {
    Variant v = Variant.byName(variantName);
    Workload<?> w = workload(workloadName);
    int callers = o.callers;
    int per = Math.max(1, o.rttCount(warmup) / callers);
    int warm = Math.max(1, o.rttWarmup() / callers);
    String what = "calls " + variantName + " " + workloadName + " x" + callers + " (" + placement + ")";
    ScheduledFuture<?> dog = arm(what);
    try {
      toChild.println("SERVE " + variantName + " " + workloadName + " " + callers * (warm + per) + " " + a + " " + b);
      Variant.Calls c;
      try {
        c = v.calls(w, callers, warm, per, a, b);
        expectSamples(c.latencies, callers * per, what);
      } catch (RuntimeException | IOException e) {
        fail(what, e);
        childReply(what);
        return;
      }
      childReply(what);
      long[] lat = c.latencies.clone();
      Arrays.sort(lat);
      if (!warmup) {
        results.add("calls" + callers, placement, workloadName, variantName, c.perSecond,
            Results.percentile(lat, 0.5) / 1e3, Results.percentile(lat, 0.99) / 1e3);
      }
      System.out.printf(Locale.ROOT, "%s %-5s %-8s %-20s %,10.0f calls/s with %d callers  p50 %8.2f us  p99 %8.2f us (%s)%n",
          warmup ? "  warm-up" : "  ", "calls", workloadName, variantName, c.perSecond, callers,
          Results.percentile(lat, 0.5) / 1e3, Results.percentile(lat, 0.99) / 1e3, placement);
    } finally {
      dog.cancel(false);
    }
  }

  static void expectSamples(long[] rtt, int count, String what) {
    if (rtt.length != count) {
      throw new IllegalStateException(what + ": " + rtt.length + " samples, expected " + count);
    }
    for (long x : rtt) {
      if (x <= 0) {
        throw new IllegalStateException(what + ": a round trip was not measured");
      }
    }
  }

  static long payloadBytes(Workload<?> w, int count) {
    return Variant.Raw.totalBytes(w.encodedPool(), count);
  }

  static void deleteTree(Path p) throws IOException {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
        Files.deleteIfExists(q);
      }
    }
  }
}
