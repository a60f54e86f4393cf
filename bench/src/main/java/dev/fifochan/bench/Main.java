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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cross-process benchmark: this JVM (the parent) spawns one peer JVM (same java, same class
 * path) and runs every trial against it over real FIFOs, fifochan and its baselines interleaved,
 * for several rounds; it prints the medians as a Markdown table.
 *
 * <ul>
 *   <li>one-way throughput: the peer writes N messages, the parent reads them; time from the peer's
 *       {@code System.nanoTime()} before the first send to the parent's after the last receive
 *       (CLOCK_MONOTONIC is shared by all processes of the machine);
 *   <li>round trip: the parent sends one message, the peer echoes it, the parent times send to
 *       receive; fifochan senders use {@code flushDelay(Duration.ZERO)} (every send is written at once).
 * </ul>
 *
 * <p>Usage: {@code java -cp fifochan-bench.jar dev.fifochan.bench.Main [--quick] [--smoke]
 * [--rounds N] [--cpus different|same|none] [--workloads bytes100,bytes64k,proto,json]
 * [--variants fifochan,raw,naive] [--tput-only|--rtt-only]}
 */
public final class Main {
  static volatile long sinkValue;
  static volatile int fifochanPipeSize;

  static final List<String> ALL_WORKLOADS = List.of("bytes100", "bytes64k", "proto", "json");
  static final List<String> RTT_WORKLOADS = List.of("bytes100", "proto", "json");
  static final List<String> ALL_VARIANTS = List.of("fifochan", "raw", "naive");
  static final int PIPE_SIZE = 1 << 20;

  private Main() {}

  static void sink(long v) {
    sinkValue += v;
  }

  static void notePipeSize(int size) {
    fifochanPipeSize = size;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--peer")) {
      peer();
      return;
    }
    System.exit(run(args));
  }

  /**
   * Runs the benchmark with {@code args} (as on the command line) and returns the exit status: 0 if
   * every trial delivered every message, 1 otherwise.
   */
  public static int run(String... args) throws Exception {
    return new Main.Run(Options.parse(args)).run();
  }

  /** Command-line options. */
  static final class Options {
    boolean quick;
    boolean smoke;
    int rounds = 5;
    boolean roundsSet;
    String cpus = "different";
    List<String> workloads = ALL_WORKLOADS;
    List<String> variants = ALL_VARIANTS;
    boolean tput = true;
    boolean rtt = true;
    boolean warmupRound = true;
    String childJvmArgs;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick":
            o.quick = true;
            break;
          case "--smoke":
            o.smoke = true;
            break;
          case "--rounds":
            o.rounds = Integer.parseInt(args[++i]);
            o.roundsSet = true;
            break;
          case "--cpus":
            o.cpus = args[++i];
            if (!List.of("different", "same", "none").contains(o.cpus)) {
              throw new IllegalArgumentException("--cpus different|same|none");
            }
            break;
          case "--workloads":
            o.workloads = Arrays.asList(args[++i].split(","));
            break;
          case "--variants":
            o.variants = Arrays.asList(args[++i].split(","));
            break;
          case "--tput-only":
            o.rtt = false;
            break;
          case "--rtt-only":
            o.tput = false;
            break;
          case "--no-warmup":
            o.warmupRound = false;
            break;
          case "--child-jvm-args":
            o.childJvmArgs = args[++i];
            break;
          default:
            throw new IllegalArgumentException("unknown option " + args[i]
                + "; usage: [--quick] [--smoke] [--rounds N] [--cpus different|same|none] [--workloads a,b]"
                + " [--variants fifochan,raw,naive] [--tput-only|--rtt-only] [--no-warmup] [--child-jvm-args '...']");
        }
      }
      if (o.smoke) {
        o.warmupRound = false;
        if (!o.roundsSet) {
          o.rounds = 1;
        }
      } else if (o.quick && !o.roundsSet) {
        o.rounds = 3;
      }
      return o;
    }

    int count(String workload, boolean warmup) {
      int n;
      if (smoke) {
        n = Map.of("bytes100", 50_000, "bytes64k", 500, "proto", 25_000, "json", 10_000).get(workload);
      } else {
        n = Map.of("bytes100", 5_000_000, "bytes64k", 10_000, "proto", 2_000_000, "json", 500_000).get(workload);
        if (quick) {
          n /= 5;
        }
      }
      return warmup ? Math.max(1, n / 5) : n;
    }

    int rttCount(boolean warmup) {
      int n = smoke ? 500 : quick ? 5_000 : 10_000;
      return warmup ? n / 4 : n;
    }

    int rttWarmup() {
      return smoke ? 200 : 5_000;
    }
  }

  /** One benchmark run: the parent's side. */
  static final class Run {
    final Options o;
    final Map<String, List<double[]>> results = new LinkedHashMap<>();
    final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "watchdog");
      t.setDaemon(true);
      return t;
    });
    Process child;
    PrintWriter toChild;
    BufferedReader fromChild;
    Path dir;
    int baselinePipeSize;
    int failures;
    int cores;

    Run(Options o) {
      this.o = o;
    }

    int run() throws Exception {
      cores = Runtime.getRuntime().availableProcessors();
      String loadBefore = loadavg();
      Instant start = Instant.now();
      String pinning = pin();
      dir = Files.createTempDirectory("fifochan-bench");
      Path a = Fifo.create(dir.resolve("a"));
      Path b = Fifo.create(dir.resolve("b"));
      startChild();
      System.out.printf(Locale.ROOT, "# fifochan cross-process benchmark: %d round(s)%s, %s%n", o.rounds,
          o.warmupRound ? " after 1 warm-up round" : "", pinning);
      System.out.println("# load average before: " + loadBefore);
      try {
        int total = o.rounds + (o.warmupRound ? 1 : 0);
        for (int round = 0; round < total; round++) {
          boolean warmup = o.warmupRound && round == 0;
          int rotate = round;
          long t = System.nanoTime();
          if (o.tput) {
            for (String wl : o.workloads) {
              for (String v : rotated(o.variants, rotate++)) {
                throughput(v, wl, o.count(wl, warmup), a, warmup);
              }
            }
          }
          if (o.rtt) {
            for (String wl : o.workloads) {
              if (!RTT_WORKLOADS.contains(wl)) {
                continue;
              }
              for (String v : rotated(o.variants, rotate++)) {
                roundTrip(v, wl, o.rttWarmup(), o.rttCount(warmup), a, b, warmup);
              }
            }
          }
          System.out.printf(Locale.ROOT, "# %s %d done in %.1f s, load %s%n", warmup ? "warm-up round" : "round",
              warmup ? 0 : round + (o.warmupRound ? 0 : 1), (System.nanoTime() - t) / 1e9, loadavg());
        }
      } finally {
        stopChild();
        Files.deleteIfExists(a);
        Files.deleteIfExists(b);
        Files.deleteIfExists(dir);
      }
      String loadAfter = loadavg();
      printTable(start, pinning, loadBefore, loadAfter);
      return failures == 0 ? 0 : 1;
    }

    static List<String> rotated(List<String> list, int by) {
      List<String> r = new ArrayList<>(list);
      java.util.Collections.rotate(r, -(by % list.size()));
      return r;
    }

    String pin() throws Exception {
      if (o.cpus.equals("none")) {
        return "processes not pinned";
      }
      long pid = ProcessHandle.current().pid();
      Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", "0", Long.toString(pid))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("taskset failed: " + out);
      }
      return o.cpus.equals("same") ? "both processes pinned to CPU 0 (same CPU)"
          : "parent pinned to CPU 0, peer to CPU 1 (different CPUs)";
    }

    void startChild() throws IOException {
      List<String> cmd = new ArrayList<>();
      if (!o.cpus.equals("none")) {
        cmd.addAll(List.of("taskset", "-c", o.cpus.equals("same") ? "0" : "1"));
      }
      cmd.add(ProcessHandle.current().info().command().orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
      if (o.childJvmArgs != null) {
        cmd.addAll(Arrays.asList(o.childJvmArgs.trim().split("\\s+")));
      } else {
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
          if (!arg.startsWith("-agent") && !arg.startsWith("-javaagent") && !arg.contains("FlightRecord")) {
            cmd.add(arg);
          }
        }
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--peer"));
      child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      toChild = new PrintWriter(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8), true);
      fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String hello = fromChild.readLine();
      if (!"PEER".equals(hello)) {
        throw new IllegalStateException("peer did not start: " + hello);
      }
    }

    void stopChild() throws InterruptedException {
      if (child != null) {
        toChild.println("QUIT");
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
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

    void throughput(String variantName, String workloadName, int count, Path fifo, boolean warmup) throws Exception {
      Variant v = Variant.byName(variantName);
      Workload<?> w = workload(workloadName);
      String what = "throughput " + variantName + " " + workloadName;
      ScheduledFuture<?> dog = arm(what);
      PipeHold hold = v.needsPipeHold() ? new PipeHold(fifo, PIPE_SIZE) : null;
      try {
        if (hold != null) {
          baselinePipeSize = hold.pipeSize;
        }
        toChild.println("TPUT " + variantName + " " + workloadName + " " + count + " " + fifo);
        long tEnd;
        long c0 = cpuNanos();
        long m0 = threadCpuNanos();
        long readerCpu;
        long readerMain;
        try {
          tEnd = v.read(w, count, fifo);
          readerMain = threadCpuNanos() - m0;
          readerCpu = cpuNanos() - c0;
        } catch (RuntimeException | IOException e) {
          failures++;
          System.err.println(what + " FAILED: " + e);
          childReply(what);
          return;
        }
        String reply = childReply(what);
        long t0 = Long.parseLong(reply.split(" ")[1]);
        long writerCpu = Long.parseLong(reply.split(" ")[2]);
        long writerMain = Long.parseLong(reply.split(" ")[3]);
        double secs = (tEnd - t0) / 1e9;
        double msgs = count / secs;
        double bytes = payloadBytes(w, count) / secs;
        if (!warmup) {
          record("tput", workloadName, variantName, msgs, bytes);
          record("cpu", workloadName, variantName, (double) writerCpu / count, (double) readerCpu / count);
          record("cpumain", workloadName, variantName, (double) writerMain / count, (double) readerMain / count);
        }
        System.out.printf(Locale.ROOT, "%s %-5s %-8s %-8s %,12.0f msg/s %9.1f MB/s  (%,d msgs in %.3f s;"
            + " CPU ns/msg writer %.0f (main thread %.0f), reader %.0f (main thread %.0f))%n",
            warmup ? "  warm-up" : "  ", "tput", workloadName, variantName, msgs, bytes / 1e6, count, secs,
            (double) writerCpu / count, (double) writerMain / count, (double) readerCpu / count, (double) readerMain / count);
      } finally {
        if (hold != null) {
          hold.close();
        }
        dog.cancel(false);
      }
    }

    void roundTrip(String variantName, String workloadName, int warm, int count, Path a, Path b, boolean warmup)
        throws Exception {
      Variant v = Variant.byName(variantName);
      Workload<?> w = workload(workloadName);
      String what = "round trip " + variantName + " " + workloadName;
      ScheduledFuture<?> dog = arm(what);
      PipeHold ha = v.needsPipeHold() ? new PipeHold(a, PIPE_SIZE) : null;
      PipeHold hb = v.needsPipeHold() ? new PipeHold(b, PIPE_SIZE) : null;
      try {
        toChild.println("ECHO " + variantName + " " + workloadName + " " + (warm + count) + " " + a + " " + b);
        long[] rtt;
        try {
          rtt = v.ping(w, warm, count, a, b);
        } catch (RuntimeException | IOException e) {
          failures++;
          System.err.println(what + " FAILED: " + e);
          childReply(what);
          return;
        }
        childReply(what);
        expectSamples(rtt, count, what);
        Arrays.sort(rtt);
        double p50 = rtt[(int) (count * 0.50)] / 1e3;
        double p99 = rtt[Math.min(count - 1, (int) (count * 0.99))] / 1e3;
        if (!warmup) {
          record("rtt", workloadName, variantName, p50, p99);
        }
        System.out.printf(Locale.ROOT, "%s %-5s %-8s %-8s p50 %7.2f us  p99 %7.2f us  (%,d round trips)%n",
            warmup ? "  warm-up" : "  ", "rtt", workloadName, variantName, p50, p99, count);
      } finally {
        if (ha != null) {
          ha.close();
          hb.close();
        }
        dog.cancel(false);
      }
    }

    void expectSamples(long[] rtt, int count, String what) {
      if (rtt.length != count) {
        throw new IllegalStateException(what + ": " + rtt.length + " samples");
      }
      for (long x : rtt) {
        if (x <= 0) {
          failures++;
          throw new IllegalStateException(what + ": a round trip was not measured");
        }
      }
    }

    final Map<String, Workload<?>> workloads = new LinkedHashMap<>();

    Workload<?> workload(String name) {
      return workloads.computeIfAbsent(name, Workload::byName);
    }

    static long payloadBytes(Workload<?> w, int count) {
      return Variant.Raw.totalBytes(w.encodedPool(), count);
    }

    void record(String kind, String workload, String variant, double x, double y) {
      results.computeIfAbsent(kind + "|" + workload + "|" + variant, k -> new ArrayList<>()).add(new double[] {x, y});
    }

    double median(String key, int index) {
      List<double[]> l = results.get(key);
      if (l == null || l.isEmpty()) {
        return Double.NaN;
      }
      double[] v = l.stream().mapToDouble(d -> d[index]).sorted().toArray();
      int n = v.length;
      return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    String spread(String key, int index, double scale) {
      List<double[]> l = results.get(key);
      if (l == null || l.isEmpty()) {
        return "";
      }
      double min = l.stream().mapToDouble(d -> d[index]).min().getAsDouble() / scale;
      double max = l.stream().mapToDouble(d -> d[index]).max().getAsDouble() / scale;
      return String.format(Locale.ROOT, "%s–%s", fmt(min), fmt(max));
    }

    static String fmt(double x) {
      if (Double.isNaN(x)) {
        return "–";
      }
      if (x >= 100) {
        return String.format(Locale.ROOT, "%,.0f", x);
      }
      if (x >= 10) {
        return String.format(Locale.ROOT, "%.1f", x);
      }
      return String.format(Locale.ROOT, "%.2f", x);
    }

    void printTable(Instant start, String pinning, String loadBefore, String loadAfter) {
      StringBuilder s = new StringBuilder();
      s.append('\n');
      s.append(String.format(Locale.ROOT, "## Results: medians of %d interleaved round(s), %s%n%n", o.rounds, start));
      s.append(String.format(Locale.ROOT, "- %s; java %s (%s), %d CPUs, kernel %s%n", pinning,
          System.getProperty("java.version"), System.getProperty("java.vm.name"),
          cores, System.getProperty("os.version")));
      s.append(String.format(Locale.ROOT, "- pipe size: fifochan %s, baselines %d (held open O_RDWR + F_SETPIPE_SZ)%n",
          fifochanPipeSize == 0 ? "(not measured)" : Integer.toString(fifochanPipeSize), baselinePipeSize));
      s.append("- load average (1/5/15 min) before: " + loadBefore + "; after: " + loadAfter + "\n");
      s.append("- counts per trial: ");
      for (String wl : o.workloads) {
        s.append(wl).append(' ').append(String.format(Locale.ROOT, "%,d", o.count(wl, false))).append("; ");
      }
      s.append(String.format(Locale.ROOT, "round trips %,d after %,d warm-up%n%n", o.rttCount(false), o.rttWarmup()));
      if (o.tput) {
        s.append("### One-way throughput (writer and reader in two JVMs)\n\n");
        s.append("| message | unit | fifochan | raw FileChannel | naive Data*Stream | fifochan / raw | fifochan / naive | fifochan min–max |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String wl : o.workloads) {
          if (wl.equals("bytes64k")) {
            tputRow(s, wl, "k msg/s", 0, 1e3);
          } else {
            tputRow(s, wl, "M msg/s", 0, 1e6);
          }
          tputRow(s, wl, "MB/s", 1, 1e6);
        }
        s.append('\n');
        s.append("CPU time per message in ns (less sensitive to other load than wall time): the sending or"
            + " receiving thread (ns resolution), and in brackets the whole process (all threads: flusher, GC, JIT;"
            + " 10 ms resolution)\n\n");
        s.append("| message | side | fifochan | raw FileChannel | naive Data*Stream | fifochan / raw (thread) |\n");
        s.append("|---|---|---:|---:|---:|---:|\n");
        for (String wl : o.workloads) {
          for (int side = 0; side < 2; side++) {
            String k = "cpumain|" + wl + "|";
            String kp = "cpu|" + wl + "|";
            double f = median(k + "fifochan", side);
            double r = median(k + "raw", side);
            double n = median(k + "naive", side);
            s.append(String.format(Locale.ROOT, "| %s | %s | %s (%s) | %s (%s) | %s (%s) | %s |%n", workload(wl).label,
                side == 0 ? "writer" : "reader", fmt(f), fmt(median(kp + "fifochan", side)), fmt(r),
                fmt(median(kp + "raw", side)), fmt(n), fmt(median(kp + "naive", side)), ratio(f, r)));
          }
        }
        s.append('\n');
      }
      List<String> extra = new ArrayList<>(o.variants);
      extra.removeAll(ALL_VARIANTS);
      if (o.tput && !extra.isEmpty()) {
        s.append("Other variants, one-way (medians): \n\n| message | variant | M msg/s | MB/s | CPU ns/msg writer | reader | / raw |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (String wl : o.workloads) {
          for (String v : extra) {
            String k = "|" + wl + "|" + v;
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", workload(wl).label, v,
                fmt(median("tput" + k, 0) / 1e6), fmt(median("tput" + k, 1) / 1e6), fmt(median("cpu" + k, 0)),
                fmt(median("cpu" + k, 1)), ratio(median("tput" + k, 0), median("tput|" + wl + "|raw", 0))));
          }
        }
        s.append('\n');
      }
      if (o.rtt && !extra.isEmpty()) {
        s.append("Other variants, round trip (medians, µs): \n\n| message | variant | p50 | p99 | p50 / raw |\n|---|---|---:|---:|---:|\n");
        for (String wl : o.workloads) {
          if (!RTT_WORKLOADS.contains(wl)) {
            continue;
          }
          for (String v : extra) {
            String k = "rtt|" + wl + "|" + v;
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", workload(wl).label, v,
                fmt(median(k, 0)), fmt(median(k, 1)), ratio(median(k, 0), median("rtt|" + wl + "|raw", 0))));
          }
        }
        s.append('\n');
      }
      if (o.rtt) {
        s.append("### Round trip (ping-pong over two FIFOs; fifochan: flushDelay(Duration.ZERO))\n\n");
        s.append("| message | percentile | fifochan µs | raw FileChannel µs | naive Data*Stream µs | fifochan / raw | fifochan / naive | fifochan min–max |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String wl : o.workloads) {
          if (RTT_WORKLOADS.contains(wl)) {
            rttRow(s, wl, "p50", 0);
            rttRow(s, wl, "p99", 1);
          }
        }
        s.append('\n');
      }
      if (o.smoke) {
        s.append(failures == 0 ? "Smoke run: every trial delivered every message (counts only; the numbers above are not measurements).\n"
            : "Smoke run: " + failures + " trial(s) FAILED\n");
        System.out.print(s);
        return;
      }
      s.append("### Targets\n\n");
      if (o.tput && o.workloads.contains("bytes100")) {
        double m = median("tput|bytes100|fifochan", 0) / 1e6;
        s.append(String.format(Locale.ROOT, "- 100 B one-way >= 12 M msg/s: %s M msg/s -> %s%n", fmt(m), m >= 12 ? "MET" : "MISSED"));
      }
      if (o.tput && o.workloads.contains("bytes64k")) {
        double r = median("tput|bytes64k|fifochan", 1) / median("tput|bytes64k|raw", 1);
        s.append(String.format(Locale.ROOT, "- 64 KiB one-way >= 85%% of raw: %.0f%% -> %s%n", r * 100, r >= 0.85 ? "MET" : "MISSED"));
      }
      if (o.rtt && o.workloads.contains("bytes100")) {
        double r = median("rtt|bytes100|fifochan", 0) / median("rtt|bytes100|raw", 0);
        s.append(String.format(Locale.ROOT, "- 100 B round trip p50 <= 1.3x raw: %.2fx -> %s%n", r, r <= 1.3 ? "MET" : "MISSED"));
      }
      if (failures > 0) {
        s.append("\n**" + failures + " trial(s) FAILED** (see above)\n");
      }
      System.out.print(s);
    }

    void tputRow(StringBuilder s, String wl, String unit, int index, double scale) {
      String k = "tput|" + wl + "|";
      double f = median(k + "fifochan", index);
      double r = median(k + "raw", index);
      double n = median(k + "naive", index);
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", workload(wl).label, unit,
          fmt(f / scale), fmt(r / scale), fmt(n / scale), ratio(f, r), ratio(f, n), spread(k + "fifochan", index, scale)));
    }

    void rttRow(StringBuilder s, String wl, String p, int index) {
      String k = "rtt|" + wl + "|";
      double f = median(k + "fifochan", index);
      double r = median(k + "raw", index);
      double n = median(k + "naive", index);
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", workload(wl).label, p,
          fmt(f), fmt(r), fmt(n), ratio(f, r), ratio(f, n), spread(k + "fifochan", index, 1)));
    }

    static String ratio(double a, double b) {
      if (Double.isNaN(a) || Double.isNaN(b)) {
        return "–";
      }
      return String.format(Locale.ROOT, "%.2f", a / b);
    }
  }

  /** CPU time of this whole process (all threads: JIT, GC and fifochan's flusher included). */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU time of the calling thread, nanosecond resolution. */
  static long threadCpuNanos() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  static String loadavg() {
    try {
      String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** The peer JVM: executes the parent's commands, one per line on stdin; answers on stdout. */
  static void peer() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    Map<String, Workload<?>> workloads = new LinkedHashMap<>();
    out.println("PEER");
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.split(" ");
      if (f[0].equals("QUIT")) {
        break;
      }
      try {
        Variant v = Variant.byName(f[1]);
        Workload<?> w = workloads.computeIfAbsent(f[2], Workload::byName);
        switch (f[0]) {
          case "TPUT":
            long c0 = cpuNanos();
            long m0 = threadCpuNanos();
            long t0 = v.write(w, Integer.parseInt(f[3]), Paths.get(f[4]));
            out.println("DONE " + t0 + " " + (cpuNanos() - c0) + " " + (threadCpuNanos() - m0));
            break;
          case "ECHO":
            v.echo(w, Integer.parseInt(f[3]), Paths.get(f[4]), Paths.get(f[5]));
            out.println("DONE 0");
            break;
          default:
            out.println("ERROR unknown command " + line);
        }
      } catch (Exception e) {
        e.printStackTrace();
        out.println("ERROR " + e);
      }
    }
  }
}
