package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real shaded jar ({@code -Dfifochan.jar}, set by failsafe) in a separate JVM: the
 * black-box tests' only way to reach the command. Fails, never skips, when the jar is missing.
 */
final class Jar {
  private Jar() {}

  /** The jar under test. */
  static Path path() {
    String p = System.getProperty("fifochan.jar");
    if (p == null) {
      fail("system property fifochan.jar is not set: run the *IT tests with Maven (mvn verify)");
    }
    Path jar = Path.of(p);
    assertTrue(Files.isRegularFile(jar), "the shaded jar is missing: " + jar + " (mvn package builds it)");
    return jar;
  }

  static String java() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** A command line running the jar with {@code jvmOptions} and {@code args}. */
  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.add("-XX:+UseSerialGC");
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(path().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** A started, not yet finished run: stdin from a file (or nothing), stdout and stderr into files. */
  static final class Run {
    final Process process;
    final Path stdout;
    final Path stderr;

    Run(Process process, Path stdout, Path stderr) {
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    /** Waits for the exit; kills the process and fails the test if it does not end in time. */
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

    int exitCode() {
      return process.exitValue();
    }

    String out() {
      return read(stdout);
    }

    String err() {
      return read(stderr);
    }

    private static String read(Path p) {
      try {
        return Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "exit " + (process.isAlive() ? "(running)" : exitCode()) + "\n--- stderr\n" + err();
    }
  }

  /** Starts {@code fifochan args} with stdin from {@code stdin} (null: empty), output into files in {@code dir}. */
  static Run start(Path dir, Path stdin, List<String> jvmOptions, String... args) {
    try {
      Path out = Files.createTempFile(dir, "stdout-", ".txt");
      Path err = Files.createTempFile(dir, "stderr-", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, args))
          .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      return new Run(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Run start(Path dir, Path stdin, String... args) {
    return start(dir, stdin, List.of("-XX:TieredStopAtLevel=1"), args);
  }

  /** Runs {@code fifochan args} to completion (at most {@code timeout}). */
  static Run run(Path dir, Path stdin, Duration timeout, String... args) {
    return start(dir, stdin, args).await(timeout);
  }

  /** Creates a FIFO with coreutils' mkfifo (independent of the code under test). */
  static Path mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).inheritIO().start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + path);
    return path;
  }
}
