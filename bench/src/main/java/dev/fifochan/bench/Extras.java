package dev.fifochan.bench;

import dev.fifochan.Codecs;
import dev.fifochan.bench.jmh.ApiBench;
import dev.fifochan.fifo.FirstOpenTime;
import dev.fifochan.bench.jmh.CodecBench;
import dev.fifochan.fifo.Fifo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The measurements of a run beyond the interleaved trials, each run once per benchmark run (after
 * the rounds), each recorded with its status ({@code ran}, or skipped/failed with the reason):
 * <ul>
 *   <li>{@code jmh}: the codecs' encode/decode cost (for the codec ceiling) and the public API's
 *       send/handler-receive cost and allocation ({@code -prof gc}), through JMH's runner API;
 *   <li>{@code first-open}: the first FIFO open in a fresh JVM (a hook for the transport's own probe);
 *   <li>{@code cli}: {@code echo x | bin/fifochan send --codec string F} end to end, with a reader;
 *   <li>{@code go}: the Go package's {@code go test -bench} figures;
 *   <li>{@code memory}: the same fifochan one-way workloads at {@code -Xmx64m} and {@code -Xmx1g}, in
 *       fresh JVM pairs (nested runs), alternating.
 * </ul>
 */
final class Extras {
  /**
   * The Go benchmarks the targets read (go/bench_test.go, owned by the Go package). The "original
   * Go idea" baseline (issue 14) is expected under the name {@code BenchmarkFIFOOriginalIdea100}.
   */
  static final Map<String, String> GO_BENCHMARKS = new LinkedHashMap<>();

  static {
    GO_BENCHMARKS.put("typed100", "BenchmarkFIFOBytes100");
    GO_BENCHMARKS.put("raw100", "BenchmarkFIFORawFrames100");
    GO_BENCHMARKS.put("typed64k", "BenchmarkFIFOBytes64K");
    GO_BENCHMARKS.put("raw64k", "BenchmarkFIFORawFrames64K");
    GO_BENCHMARKS.put("idea100", "BenchmarkFIFOOriginalIdea100");
  }

  /** Environment variable: a shell command that opens a FIFO ($FIFO) in a fresh JVM and prints {@code FIRST_OPEN_NS <n>}. */
  static final String FIRST_OPEN_HOOK = "FIFOCHAN_BENCH_FIRST_OPEN_CMD";
  /** The transport's first-open probe (transport-fifo test jar): prints the open's milliseconds. */
  static final String PROBE = FirstOpenTime.Probe.class.getName();

  private final Harness h;
  /** Per extra: "ran", or "skipped: why" / "FAILED: why". */
  final Map<String, String> status = new LinkedHashMap<>();
  /** JMH: benchmark (short name, with params) to ns/op, and to B/op. */
  final Map<String, Double> jmhNs = new LinkedHashMap<>();
  final Map<String, Double> jmhAlloc = new LinkedHashMap<>();
  final List<Double> firstOpenMs = new ArrayList<>();
  final List<Double> firstOpenJvmMs = new ArrayList<>();
  String firstOpenHow = "";
  final List<Double> cliSeconds = new ArrayList<>();
  String cliCommand = "";
  /** Go: benchmark name to msg/s, one per -count. */
  final Map<String, List<Double>> go = new LinkedHashMap<>();
  String goCommand = "";
  /** Memory: workload to msg/s per probe at -Xmx64m and -Xmx1g. */
  final Map<String, List<Double>> mem64 = new LinkedHashMap<>();
  final Map<String, List<Double>> mem1g = new LinkedHashMap<>();
  List<String> memoryWorkloads = List.of();

  Extras(Harness h) {
    this.h = h;
  }

  void runAll(Main.Options o) {
    for (String e : Main.ALL_EXTRAS) {
      if (!o.extra(e)) {
        continue;
      }
      long t = System.nanoTime();
      try {
        String why;
        switch (e) {
          case "jmh":
            why = jmh(o);
            break;
          case "first-open":
            why = firstOpen(o);
            break;
          case "cli":
            why = cli(o);
            break;
          case "go":
            why = go(o);
            break;
          case "memory":
            why = memory(o);
            break;
          default:
            throw new IllegalStateException(e);
        }
        if (why == null) {
          status.put(e, "ran");
        } else if (BenchEnv.ci()) {
          status.put(e, "FAILED: " + why + " (CI=true: must run)");
          h.failures.add(e + ": " + why);
        } else {
          status.put(e, "skipped: " + why);
        }
      } catch (Exception | AssertionError ex) {
        status.put(e, "FAILED: " + ex);
        h.fail("extra " + e, ex);
      }
      System.out.printf(Locale.ROOT, "# extra %s: %s (%.1f s)%n", e, status.get(e), (System.nanoTime() - t) / 1e9);
    }
  }

  private static int repeats(Main.Options o) {
    return o.smoke ? 1 : o.quick ? 3 : 5;
  }

  // ---- JMH ----

  /** The JMH benchmarks whose figures the targets use. */
  static final String JMH_INCLUDE = CodecBench.class.getName().replace(".", "\\.")
      + "\\.(protobufEncode|protobufDecodeDirect|jsonEncode|jsonDecodeDirect)$|" + ApiBench.class.getName().replace(".", "\\.") + "\\.";

  @SuppressWarnings("rawtypes") // JMH's getSecondaryResults() returns raw Results
  String jmh(Main.Options o) throws Exception {
    OptionsBuilder b = new OptionsBuilder();
    b.include(JMH_INCLUDE).addProfiler(GCProfiler.class).shouldFailOnError(true).verbosity(VerboseMode.SILENT);
    if (o.smoke) {
      // proves the wiring in a second or two: in this JVM, a few milliseconds per benchmark
      b.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(50)).measurementIterations(1)
          .measurementTime(TimeValue.milliseconds(100));
    } else {
      b.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(o.quick ? 3 : 5)
          .measurementTime(TimeValue.seconds(1)).jvmArgs(Harness.jvmArgs().toArray(new String[0]));
    }
    Collection<RunResult> rs = new Runner(b.build()).run();
    for (RunResult r : rs) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      String size = r.getParams().getParam("size");
      if (size != null) {
        name += "/" + size;
      }
      jmhNs.put(name, r.getPrimaryResult().getScore());
      for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
        if (e.getKey().endsWith("gc.alloc.rate.norm")) {
          jmhAlloc.put(name, e.getValue().getScore());
        }
      }
    }
    return jmhNs.isEmpty() ? "JMH ran no benchmark" : null;
  }

  // ---- first FIFO open ----

  @SuppressWarnings("try") // the reader is held open, never used
  String firstOpen(Main.Options o) throws Exception {
    Path fifo = Fifo.create(Files.createTempDirectory("fifochan-first-open").resolve("f"));
    String hook = System.getenv(FIRST_OPEN_HOOK);
    List<String> cmd;
    if (hook != null && !hook.isBlank()) {
      cmd = List.of("sh", "-c", hook);
      firstOpenHow = "hook " + FIRST_OPEN_HOOK + ": " + hook;
    } else {
      // the transport's own probe: its first open (Fifo.openWriteChannel, jffi) timed in a fresh JVM
      cmd = List.of(Harness.javaCommand(), "-cp", System.getProperty("java.class.path"), PROBE, fifo.toString());
      firstOpenHow = "java -cp <bench jar> " + PROBE + " FIFO (transport-fifo's FirstOpenTime probe: the first "
          + "Fifo.openWriteChannel of the JVM, jffi)";
    }
    try {
      for (int i = 0; i < repeats(o); i++) {
        try (PipeHold reader = new PipeHold(fifo, 65536)) { // a reader, so the write end opens at once
          ProcessBuilder pb = new ProcessBuilder(h.onAllCpus(cmd)).redirectError(ProcessBuilder.Redirect.INHERIT);
          pb.environment().put("FIFO", fifo.toString());
          Process p = pb.start();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("first-open probe failed: " + out);
          }
          Matcher m = Pattern.compile("FIRST_OPEN_NS (\\d+)").matcher(out);
          Matcher ms = Pattern.compile("(?m)^\\s*(\\d+\\.\\d+)\\s*$").matcher(out);
          if (m.find()) {
            firstOpenMs.add(Long.parseLong(m.group(1)) / 1e6);
          } else if (ms.find()) {
            firstOpenMs.add(Double.parseDouble(ms.group(1)));
          } else {
            throw new IOException("first-open probe printed neither FIRST_OPEN_NS nor milliseconds: " + out);
          }
          Matcher j = Pattern.compile("JVM_MS (\\d+)").matcher(out);
          if (j.find()) {
            firstOpenJvmMs.add(Double.parseDouble(j.group(1)));
          }
        }
      }
      double median = Results.median(firstOpenMs);
      System.out.printf(Locale.ROOT, "# first FIFO open in a fresh JVM: median %.1f ms of %d runs %s; target <= %.0f ms: %s%n",
          median, firstOpenMs.size(), firstOpenMs, FirstOpenTime.TARGET_MILLIS, median <= FirstOpenTime.TARGET_MILLIS ? "MET" : "MISSED");
    } finally {
      Files.deleteIfExists(fifo);
      Files.deleteIfExists(fifo.getParent());
    }
    return null;
  }

  // ---- CLI ----

  String cli(Main.Options o) throws Exception {
    Path root = BenchEnv.repoRoot();
    if (root == null) {
      return "repository root not found (set FIFOCHAN_REPO_ROOT)";
    }
    Path bin = root.resolve("bin/fifochan");
    Path jar = root.resolve("cli/target/fifochan.jar");
    if (!Files.isExecutable(bin) || !Files.isRegularFile(jar)) {
      return "bin/fifochan or cli/target/fifochan.jar missing (build: mvn -B -q -pl cli -am package -DskipTests)";
    }
    Path dir = Files.createTempDirectory("fifochan-cli");
    Path fifo = Fifo.create(dir.resolve("f"));
    cliCommand = "echo x | bin/fifochan send --codec string F";
    try {
      for (int i = 0; i < repeats(o); i++) {
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
          try (FifochanApi.In<String> r = FifochanApi.openReceiver(fifo, Codecs.string(), FifochanApi.Profile.THROUGHPUT)) {
            String m = r.receive();
            String end = r.receive();
            return end == null ? m : "more than one message";
          } catch (IOException e) {
            return "reader failed: " + e;
          }
        });
        Thread.sleep(100); // let the reader reach its open (not timed)
        ProcessBuilder pb = new ProcessBuilder(h.onAllCpus(List.of("sh", "-c", "echo x | \"$FIFOCHAN\" send --codec string \"$FIFO\"")))
            .redirectErrorStream(true);
        pb.environment().put("FIFOCHAN", bin.toString());
        pb.environment().put("FIFO", fifo.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (!ended || p.exitValue() != 0) {
          p.destroyForcibly();
          got.cancel(true);
          throw new IOException("fifochan send failed: " + out);
        }
        String m = got.get(30, TimeUnit.SECONDS);
        if (!"x".equals(m)) {
          throw new IOException("the reader got " + m + " instead of \"x\"");
        }
        cliSeconds.add((t1 - t0) / 1e9);
      }
    } finally {
      Harness.deleteTree(dir);
    }
    return null;
  }

  // ---- Go ----

  String go(Main.Options o) throws Exception {
    Path root = BenchEnv.repoRoot();
    if (root == null || !Files.isRegularFile(root.resolve("go/go.mod"))) {
      return "go/go.mod not found";
    }
    String regex = "^(" + String.join("|", GO_BENCHMARKS.values()) + ")$";
    List<String> cmd = List.of("go", "test", "-run", "^$", "-bench", regex, "-benchtime", o.smoke ? "2000x" : "1s", "-count",
        Integer.toString(repeats(o)), ".");
    goCommand = "(cd go && " + String.join(" ", cmd).replace("^$", "'^$'").replace(regex, "'" + regex + "'") + ")";
    Process p;
    try {
      p = new ProcessBuilder(h.onAllCpus(cmd)).directory(root.resolve("go").toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return "no go command: " + e.getMessage();
    }
    StringBuilder all = new StringBuilder();
    Pattern line = Pattern.compile("^(Benchmark\\w+?)(-\\d+)?\\s+\\d+\\s+([0-9.]+) ns/op");
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        all.append(l).append('\n');
        Matcher m = line.matcher(l);
        if (m.find()) {
          go.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(1e9 / Double.parseDouble(m.group(3)));
        }
      }
    }
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("go test -bench failed:\n" + all);
    }
    return null;
  }

  double goMedian(String key) {
    List<Double> l = go.get(GO_BENCHMARKS.get(key));
    return l == null ? Double.NaN : Results.median(l);
  }

  // ---- memory ----

  String memory(Main.Options o) throws Exception {
    memoryWorkloads = new ArrayList<>();
    for (String wl : List.of("bytes100", "bytes64k")) {
      if (o.workloads.contains(wl)) {
        memoryWorkloads.add(wl);
      }
    }
    if (memoryWorkloads.isEmpty()) {
      return "neither bytes100 nor bytes64k among the workloads";
    }
    if (!h.variants.contains("fifochan")) {
      return "fifochan is not among the variants";
    }
    for (int i = 0; i < repeats(o); i++) {
      for (String heap : List.of("64m", "1g")) {
        Map<String, Double> s = nested(o, heap);
        for (String wl : memoryWorkloads) {
          double v = s.getOrDefault("tput||" + wl + "|fifochan|0", Double.NaN);
          (heap.equals("64m") ? mem64 : mem1g).computeIfAbsent(wl, k -> new ArrayList<>()).add(v);
        }
      }
    }
    return null;
  }

  /** One nested run (a fresh parent and peer JVM with the given heap); returns its summary. */
  private Map<String, Double> nested(Main.Options o, String heap) throws Exception {
    Path out = Files.createTempDirectory(h.resultsDir.toAbsolutePath(), "memory-" + heap + "-");
    List<String> cmd = new ArrayList<>();
    cmd.add(Harness.javaCommand());
    for (String a : Harness.jvmArgs()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-Xms") && !a.startsWith("-XX:MaxHeapSize") && !a.startsWith("-XX:InitialHeapSize")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--tput-only", "--variants", "fifochan", "--workloads", String.join(",", memoryWorkloads), "--rounds", "1",
        "--cpus", o.cpus, "--no-extras", "--no-charts", "--results-dir", out.toString()));
    if (o.smoke) {
      cmd.add("--smoke");
    } else if (o.quick) {
      cmd.add("--quick");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("nested run at -Xmx" + heap + " failed:\n" + log);
    }
    Map<String, Double> s = Results.readSummary(out.resolve("summary.csv"));
    Harness.deleteTree(out);
    return s;
  }
}
