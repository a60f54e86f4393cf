package dev.fifochan.bench;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cross-process benchmark: this JVM (the parent) spawns one peer JVM (same java, same class
 * path) and runs every trial against it, fifochan, its baselines and its peers (C, Aeron IPC, gRPC)
 * interleaved, for several rounds; then the extras (JMH codec ceiling and allocation, first FIFO
 * open, CLI send, Go benchmarks, memory); it prints Markdown tables with ratios against every peer
 * and the verdict of every target, and writes CSV files and PNG charts into a results directory.
 *
 * <ul>
 *   <li>one-way throughput: the peer writes N messages, the parent reads them; time from the peer's
 *       {@code System.nanoTime()} before the first send to the parent's after the last receive
 *       (CLOCK_MONOTONIC is shared by all processes of the machine);
 *   <li>round trip: the parent sends one message, the peer echoes it, the parent times send to
 *       receive; with the two processes on different CPUs and (unless told otherwise) on the same CPU;
 *   <li>calls: N concurrent callers in the parent, the peer answers (request/response, issue 11).
 * </ul>
 *
 * <p>Usage: see {@link Options#USAGE}.
 */
public final class Main {
  static volatile long sinkValue;
  static final Map<String, Integer> PIPE_SIZES = new ConcurrentHashMap<>();

  static final List<String> ALL_WORKLOADS = List.of("bytes100", "bytes64k", "proto", "json");
  static final List<String> RTT_WORKLOADS = List.of("bytes100", "proto", "json");
  /** The default variants: fifochan, its two 0.1 baselines, the three peers, and the slots that later work fills. */
  static final List<String> DEFAULT_VARIANTS = List.of("fifochan", "raw", "naive", "c", "aeron", "grpc", "fifochan-spin",
      "fifochan-rpc", "fifochan-rpc-spin", "fifochan-frames");
  /** Peers that must run (not skip) under {@code CI=true}. */
  static final List<String> REQUIRED_UNDER_CI = List.of("c", "aeron", "grpc");
  static final List<String> ALL_EXTRAS = List.of("jmh", "first-open", "cli", "go", "memory");
  static final int PIPE_SIZE = 1 << 20;

  private Main() {}

  static void sink(long v) {
    sinkValue += v;
  }

  static void notePipeSize(int size) {
    notePipeSize("fifochan", size);
  }

  static void notePipeSize(String who, int size) {
    PIPE_SIZES.put(who, size);
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
   * every trial delivered every message and every peer that had to run ran, 1 otherwise. Targets
   * missed do not change the exit status.
   */
  public static int run(String... args) throws Exception {
    return new Harness(Options.parse(args)).run();
  }

  /** Command-line options. */
  static final class Options {
    static final String USAGE = "[--quick] [--smoke] [--rounds N] [--cpus different|same|none]"
        + " [--placements different,same] [--workloads bytes100,bytes64k,proto,json]"
        + " [--variants fifochan,raw,naive,c,aeron,grpc,...] [--tput-only|--rtt-only] [--no-warmup]"
        + " [--callers N] [--extras jmh,first-open,cli,go,memory | --no-extras] [--no-charts]"
        + " [--results-dir DIR] [--child-jvm-args '...']";

    boolean quick;
    boolean smoke;
    int rounds = 5;
    boolean roundsSet;
    String cpus = "different";
    List<String> placements;
    List<String> workloads = ALL_WORKLOADS;
    List<String> variants = DEFAULT_VARIANTS;
    boolean tput = true;
    boolean rtt = true;
    boolean warmupRound = true;
    int callers = 16;
    List<String> extras = ALL_EXTRAS;
    boolean charts = true;
    Path resultsDir;
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
          case "--placements":
            o.placements = Arrays.asList(args[++i].split(","));
            break;
          case "--workloads":
            o.workloads = Arrays.asList(args[++i].split(","));
            break;
          case "--variants":
            o.variants = Arrays.asList(args[++i].split(","));
            for (String v : o.variants) {
              Variant.byName(v); // fail early on a typo
            }
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
          case "--callers":
            o.callers = Integer.parseInt(args[++i]);
            break;
          case "--extras":
            o.extras = Arrays.asList(args[++i].split(","));
            break;
          case "--no-extras":
            o.extras = List.of();
            break;
          case "--no-charts":
            o.charts = false;
            break;
          case "--results-dir":
            o.resultsDir = Paths.get(args[++i]);
            break;
          case "--child-jvm-args":
            o.childJvmArgs = args[++i];
            break;
          default:
            throw new IllegalArgumentException("unknown option " + args[i] + "; usage: " + USAGE);
        }
      }
      for (String e : o.extras) {
        if (!ALL_EXTRAS.contains(e)) {
          throw new IllegalArgumentException("unknown extra " + e + "; known: " + ALL_EXTRAS);
        }
      }
      if (o.placements == null) {
        o.placements = o.cpus.equals("different") ? List.of("different", "same") : List.of(o.cpus);
      } else if (!o.cpus.equals("different") && !o.placements.equals(List.of(o.cpus))) {
        throw new IllegalArgumentException("--placements needs --cpus different");
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

    /** Messages per one-way trial, before a variant's own scale ({@link Harness#scale}). */
    int count(String workload, boolean warmup) {
      int n;
      if (smoke) {
        n = Map.of("bytes100", 20_000, "bytes64k", 200, "proto", 10_000, "json", 5_000).get(workload);
      } else {
        n = Map.of("bytes100", 5_000_000, "bytes64k", 10_000, "proto", 2_000_000, "json", 500_000).get(workload);
        if (quick) {
          n /= 5;
        }
      }
      return warmup ? Math.max(1, n / 5) : n;
    }

    int rttCount(boolean warmup) {
      int n = smoke ? 200 : quick ? 5_000 : 10_000;
      return warmup ? n / 4 : n;
    }

    int rttWarmup() {
      return smoke ? 100 : 5_000;
    }

    boolean extra(String name) {
      return extras.contains(name);
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

  /** Bytes this thread has allocated on the heap so far (HotSpot's exact TLAB accounting), or -1. */
  static long threadAllocatedBytes() {
    java.lang.management.ThreadMXBean b = ManagementFactory.getThreadMXBean();
    if (b instanceof com.sun.management.ThreadMXBean) {
      return ((com.sun.management.ThreadMXBean) b).getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return -1;
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
    List<Variant> prepared = new ArrayList<>();
    out.println("PEER");
    String line;
    try {
      while ((line = in.readLine()) != null) {
        String[] f = line.split(" ");
        if (f[0].equals("QUIT")) {
          break;
        }
        try {
          Variant v = Variant.byName(f[1]);
          if (f[0].equals("PREPARE")) {
            v.prepare(false);
            prepared.add(v);
            out.println("DONE 0");
            continue;
          }
          Workload<?> w = workloads.computeIfAbsent(f[2], Workload::byName);
          switch (f[0]) {
            case "TPUT":
              long c0 = cpuNanos();
              long m0 = threadCpuNanos();
              long a0 = threadAllocatedBytes();
              long t0 = v.write(w, Integer.parseInt(f[3]), Paths.get(f[4]));
              long cpu = v.externalCpu >= 0 ? v.externalCpu : cpuNanos() - c0;
              long main = v.externalCpu >= 0 ? v.externalCpu : threadCpuNanos() - m0;
              long alloc = v.externalCpu >= 0 || a0 < 0 ? -1 : threadAllocatedBytes() - a0;
              out.println("DONE " + t0 + " " + cpu + " " + main + " " + alloc);
              break;
            case "ECHO":
              v.echo(w, Integer.parseInt(f[3]), Paths.get(f[4]), Paths.get(f[5]));
              out.println("DONE 0");
              break;
            case "SERVE":
              v.serveCalls(w, Integer.parseInt(f[3]), Paths.get(f[4]), Paths.get(f[5]));
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
    } finally {
      for (Variant v : prepared) {
        v.release(false);
      }
    }
  }
}
