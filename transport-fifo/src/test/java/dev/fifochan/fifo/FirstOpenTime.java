package dev.fifochan.fifo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the cost of the first FIFO open in a fresh JVM: the time {@link Fifo#openWriteChannel}
 * takes when it is the first fifochan call of the process (class loading, native stub loading and
 * binding, checks, the open itself), in {@code runs} fresh JVMs started one after another with this
 * JVM's {@code java} and class path. The FIFO's read end is held open by this process, so the open
 * never waits for a peer. Prints each run, the median and a verdict against the target (150 ms).
 *
 * <pre>
 * mvn -B -q -pl transport-fifo -am test-compile
 * java -cp "transport-fifo/target/test-classes:transport-fifo/target/classes:api/target/classes:$JFFI_JARS" \
 *     dev.fifochan.fifo.FirstOpenTime [runs]
 * </pre>
 *
 * <p>{@link #measure(int)} returns the figures for a harness that prints its own verdict.
 */
public final class FirstOpenTime {
  /** The target for the first open in a fresh JVM, in milliseconds. */
  public static final double TARGET_MILLIS = 150;

  private FirstOpenTime() {}

  /** Runs {@code args[0]} (default 7) fresh JVMs and prints their first-open times, median and verdict. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    List<Double> ms = measure(runs);
    double median = median(ms);
    StringBuilder each = new StringBuilder();
    for (double m : ms) {
      each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", m));
    }
    System.out.printf(Locale.ROOT, "first FIFO open in a fresh JVM: median %.1f ms of %d runs (%s ms); target <= %.0f ms: %s%n",
        median, runs, each, TARGET_MILLIS, median <= TARGET_MILLIS ? "MET" : "MISSED");
  }

  /** The first-open time of each of {@code runs} fresh JVMs, in milliseconds, in run order. */
  @SuppressWarnings("try") // the resource is held open on purpose
  public static List<Double> measure(int runs) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("fifochan-first-open");
    Path fifo = dir.resolve("f");
    try {
      Process mk = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start();
      if (mk.waitFor() != 0) {
        throw new IOException("mkfifo failed");
      }
      List<Double> result = new ArrayList<>();
      try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) { // O_RDWR: a reader, never blocks
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int i = 0; i < runs; i++) {
          Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
              Probe.class.getName(), fifo.toString()).redirectErrorStream(true).start();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
          if (p.waitFor() != 0) {
            throw new IOException("probe failed: " + out);
          }
          result.add(Double.parseDouble(out.substring(out.lastIndexOf('\n') + 1).trim()));
        }
      }
      return result;
    } finally {
      Files.deleteIfExists(fifo);
      Files.deleteIfExists(dir);
    }
  }

  static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** One fresh JVM: opens the FIFO's write end as its first fifochan call and prints the milliseconds it took. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) throws Exception {
      Path fifo = Path.of(args[0]);
      long t0 = System.nanoTime();
      FifoWriteChannel w = Fifo.openWriteChannel(fifo, FifoOptions.defaults());
      long t1 = System.nanoTime();
      w.close();
      System.out.printf(Locale.ROOT, "%.3f%n", (t1 - t0) / 1e6);
    }
  }
}
