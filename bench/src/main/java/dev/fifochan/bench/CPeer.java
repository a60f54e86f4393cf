package dev.fifochan.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The FIFO's physical limits, measured by the C programs in {@code bench/c} (compiled with the
 * system {@code cc} by bench/run.sh, or by {@link #compile} when the harness runs without it):
 * <ul>
 *   <li>{@code bytes64k}: {@code fifo_tput ... raw}: one 64 KiB {@code write(2)} per message, no framing,
 *       pipe enlarged to 1 MiB;
 *   <li>{@code bytes100}: {@code fifo_tput ... frames:65536}: 100 B frames (4-byte length + payload)
 *       batched into 64 KiB writes; the reader walks the length prefixes;
 *   <li>round trip {@code bytes100}: {@code fifo_pingpong}: a blocking ping-pong over two FIFOs.
 * </ul>
 * Each C process is started by the JVM that plays its role, so it inherits that JVM's CPU pinning
 * (writer and echo in the peer's CPU, reader and pinger in the parent's). Times are
 * {@code CLOCK_MONOTONIC}, the clock of {@code System.nanoTime()}; CPU times are the C process's own.
 */
final class CPeer extends Variant {
  static final String TPUT = "fifo_tput";
  static final String PINGPONG = "fifo_pingpong";
  /** Bytes per write when 100 B frames are batched. */
  static final int BATCH = 64 * 1024;

  CPeer() {
    super("c");
  }

  @Override
  String label() {
    return "C (FIFO limit)";
  }

  @Override
  String unavailable() {
    Path bin = BenchEnv.cBin();
    if (bin == null) {
      return "the C programs were not compiled (no C compiler: " + compilerProblem + ")";
    }
    if (!Files.isExecutable(bin.resolve(TPUT)) || !Files.isExecutable(bin.resolve(PINGPONG))) {
      return "no " + TPUT + "/" + PINGPONG + " in " + bin;
    }
    return null;
  }

  static String compilerProblem = "not tried";

  /**
   * Compiles {@code bench/c/*.c} into {@code out} with {@code $CC} (default {@code cc}) {@code -O2};
   * returns {@code out}, or null (and notes why) if there is no compiler or no source.
   */
  static Path compile(Path root, Path out) {
    if (root == null || !Files.isDirectory(root.resolve("bench/c"))) {
      compilerProblem = "bench/c not found (run from the repository or set FIFOCHAN_REPO_ROOT)";
      return null;
    }
    String cc = System.getenv().getOrDefault("CC", "cc");
    try {
      Files.createDirectories(out);
      for (String prog : List.of(TPUT, PINGPONG)) {
        Process p = new ProcessBuilder(cc, "-O2", "-Wall", "-o", out.resolve(prog).toString(),
            root.resolve("bench/c/" + prog + ".c").toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
          compilerProblem = cc + " failed: " + log.trim();
          return null;
        }
      }
      return out;
    } catch (IOException e) {
      compilerProblem = cc + ": " + e.getMessage();
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      compilerProblem = "interrupted";
      return null;
    }
  }

  @Override
  boolean needsPipeHold() {
    return false; // the C programs enlarge the pipe themselves
  }

  @Override
  boolean cpuOnCallingThread() {
    return false;
  }

  @Override
  boolean supportsThroughput(Workload<?> w) {
    return w.name.equals("bytes100") || w.name.equals("bytes64k");
  }

  @Override
  boolean supportsRoundTrip(Workload<?> w, String placement) {
    return w.name.equals("bytes100");
  }

  private static String mode(Workload<?> w) {
    return w.name.equals("bytes64k") ? "raw" : "frames:" + BATCH;
  }

  private static int size(Workload<?> w) {
    return ((Workload.BytesWorkload) w).size;
  }

  /** Runs a C program to its end; returns its stdout lines; fails on a non-zero exit. */
  private static List<String> run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      String l;
      while ((l = r.readLine()) != null) {
        lines.add(l);
      }
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not end");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue());
    }
    return lines;
  }

  /** The value after {@code key} in a line of words {@code KEY value KEY value ...}. */
  static long field(String line, String key) {
    String[] f = line.trim().split(" ");
    for (int i = 0; i + 1 < f.length; i++) {
      if (f[i].equals(key)) {
        return Long.parseLong(f[i + 1]);
      }
    }
    throw new IllegalStateException("no " + key + " in: " + line);
  }

  private static String bin(String prog) {
    return BenchEnv.cBin().resolve(prog).toString();
  }

  @Override
  <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
    List<String> out = run(List.of(bin(TPUT), "write", fifo.toString(), Integer.toString(size(w)),
        Integer.toString(count), mode(w), Integer.toString(Main.PIPE_SIZE)));
    String l = out.get(out.size() - 1);
    externalCpu = field(l, "CPU");
    return field(l, "T0");
  }

  @Override
  <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
    List<String> out = run(List.of(bin(TPUT), "read", fifo.toString(), Integer.toString(size(w)),
        Integer.toString(count), mode(w), Integer.toString(Main.PIPE_SIZE)));
    String l = out.get(out.size() - 1);
    expect(field(l, "COUNT"), count, "C messages received");
    externalCpu = field(l, "CPU");
    Main.notePipeSize("c", (int) field(l, "PIPE"));
    return field(l, "TEND");
  }

  @Override
  <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
    run(List.of(bin(PINGPONG), "echo", in.toString(), out.toString(), Integer.toString(size(w)), Integer.toString(total)));
  }

  @Override
  <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
    List<String> lines = run(List.of(bin(PINGPONG), "ping", out.toString(), in.toString(), Integer.toString(size(w)),
        Integer.toString(warmup), Integer.toString(count)));
    long[] rtt = new long[count];
    int n = 0;
    for (String l : lines) {
      if (l.startsWith("RTT ")) {
        rtt[n++] = Long.parseLong(l.substring(4).trim());
      }
    }
    expect(n, count, "C round trips");
    return rtt;
  }
}
