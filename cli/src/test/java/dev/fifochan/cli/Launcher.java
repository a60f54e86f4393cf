package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the real launcher script ({@code bin/fifochan}, or another copy of it) as a subprocess, the
 * way a user's shell does: the tests of the contracts that only hold through the launcher (stdout
 * carries only data whatever the JVM prints, one-line errors whatever fails, the CDS archive).
 */
final class Launcher {
  private final Path script;
  private final Map<String, String> env = new HashMap<>();
  private Path stdin;
  private boolean pipeStdin;

  private Launcher(Path script) {
    this.script = script;
    // Every launcher test shares one archive cache per build (the first run trains the archive once);
    // the CDS tests use a cache of their own.
    env.put("FIFOCHAN_CACHE_DIR", cacheDir().toString());
  }

  /** The repository's {@code bin/fifochan}; fails unless the jar it starts was built. */
  static Launcher repo() {
    Jar.path();
    return new Launcher(InProcess.repoRoot().resolve("bin/fifochan"));
  }

  /** Another copy of the launcher (e.g. the one in the unpacked distribution). */
  static Launcher at(Path script) {
    return new Launcher(script);
  }

  static Path cacheDir() {
    String p = System.getProperty("fifochan.cacheDir");
    if (p == null) {
      fail("system property fifochan.cacheDir is not set: run the *IT tests with Maven (mvn verify)");
    }
    return Path.of(p);
  }

  /** Extra JVM options, as a user would put them into {@code FIFOCHAN_JAVA_OPTS}. */
  Launcher javaOpts(String opts) {
    return env("FIFOCHAN_JAVA_OPTS", opts);
  }

  Launcher env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  Launcher stdin(Path file) {
    this.stdin = file;
    return this;
  }

  /** stdin is a pipe the test writes to ({@link Run#stdin()}). */
  Launcher pipedStdin() {
    this.pipeStdin = true;
    return this;
  }

  /** Starts {@code fifochan args}; stdout and stderr go into files in {@code dir}. */
  Run start(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(dir, "stdout-", ".txt");
      Path err = Files.createTempFile(dir, "stderr-", ".txt");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("FIFOCHAN_JAVA_OPTS");
      pb.environment().remove("FIFOCHAN_CDS");
      pb.environment().putAll(env);
      if (!pipeStdin) {
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
            : ProcessBuilder.Redirect.from(stdin.toFile()));
      }
      return new Run(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code fifochan args} to its end (at most {@code timeout}). */
  Run run(Path dir, Duration timeout, String... args) {
    return start(dir, args).await(timeout);
  }

  /** A started run; like {@link Jar.Run} with byte-exact stdout. */
  static final class Run {
    final Process process;
    final Path stdout;
    final Path stderr;

    Run(Process process, Path stdout, Path stderr) {
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    OutputStream stdin() {
      return process.getOutputStream();
    }

    Run await(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          fail("fifochan did not finish within " + timeout + " (hung?); stderr: " + err());
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
      return this;
    }

    /** Waits until {@code condition} holds (polling), failing after {@code timeout}. */
    Run waitFor(String what, Duration timeout, BooleanSupplier condition) {
      long end = System.nanoTime() + timeout.toNanos();
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > end) {
          fail("gave up waiting for " + what + "; " + this);
        }
        if (!process.isAlive() && !condition.getAsBoolean()) {
          fail("fifochan ended before " + what + "; " + this);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail("interrupted");
        }
      }
      return this;
    }

    int exitCode() {
      return process.exitValue();
    }

    byte[] outBytes() {
      try {
        return Files.readAllBytes(stdout);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String out() {
      return new String(outBytes(), StandardCharsets.UTF_8);
    }

    String err() {
      try {
        return Files.readString(stderr, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "exit " + (process.isAlive() ? "(running)" : exitCode()) + "\n--- stdout\n" + out() + "\n--- stderr\n" + err();
    }
  }

  /** Asserts that {@code err} is exactly one line (ending in a newline) and returns it. */
  static String oneLine(String err) {
    assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line on stderr, got:\n" + err);
    return err.substring(0, err.length() - 1);
  }
}
