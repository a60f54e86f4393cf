package dev.fifochan.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What the parent and the peer JVM share beyond the FIFOs: the run's directory (sockets, Aeron's
 * directory, compiled C programs) and where the repository is. The parent sets these and hands them
 * to the peer as system properties on its command line.
 */
final class BenchEnv {
  static final String RUN_DIR = "fifochan.bench.runDir";
  static final String AERON_DIR = "fifochan.bench.aeronDir";
  static final String C_BIN = "fifochan.bench.cbin";
  static final String ROOT = "fifochan.bench.root";

  private BenchEnv() {}

  /** Whether this is a CI run ({@code CI=true}): peers then run or fail, never skip. */
  static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  static Path runDir() {
    String d = System.getProperty(RUN_DIR);
    if (d == null) {
      throw new IllegalStateException("system property " + RUN_DIR + " is not set");
    }
    return Paths.get(d);
  }

  /** The directory with the compiled C programs, or null if none was prepared. */
  static Path cBin() {
    String d = System.getProperty(C_BIN);
    return d == null ? null : Paths.get(d);
  }

  /**
   * The repository's root: system property {@value #ROOT} (set by bench/run.sh), else
   * {@code FIFOCHAN_REPO_ROOT} (set by the build for tests), else the working directory or one of
   * its parents that holds {@code bench/c}; null if none.
   */
  static Path repoRoot() {
    String p = System.getProperty(ROOT);
    if (p == null) {
      p = System.getenv("FIFOCHAN_REPO_ROOT");
    }
    if (p != null && Files.isDirectory(Paths.get(p, "bench"))) {
      return Paths.get(p).toAbsolutePath().normalize();
    }
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("bench").resolve("c"))) {
        return d;
      }
    }
    return null;
  }
}
