package dev.fifochan.testcontainers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/** What the tests of this module need from the machine: Docker, Go; and child JVMs with an environment of their choosing. */
final class DockerRequired {
  static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

  private DockerRequired() {}

  /**
   * Returns the daemon if {@link FifoDocker#require()} passes. Without a daemon the test is skipped
   * with the check's message (a failure when {@code CI=true}); any other problem is a failure.
   */
  static FifoDocker.Daemon docker() {
    try {
      return FifoDocker.require();
    } catch (DockerNotUsableException e) {
      if (e.reason() == DockerNotUsableException.Reason.NO_DAEMON) {
        unavailable(e.getMessage(), "run `bash .ci/docker.sh` (it starts dockerd, installing docker.io if needed)");
      }
      throw e;
    }
  }

  /** The Go toolchain, or a skip (a failure when {@code CI=true}). */
  static String go() {
    try {
      Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
      if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return "go";
      }
      unavailable("`go version` failed", "install Go 1.22 or later on PATH");
    } catch (IOException e) {
      unavailable("no Go toolchain on PATH (" + e.getMessage() + ")", "install Go 1.22 or later on PATH");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return null;
  }

  private static void unavailable(String problem, String howTo) {
    if (CI) {
      fail("CI=true but " + problem + ", so this test cannot run: " + howTo + " first.");
    }
    Assumptions.abort("skipped: " + problem + ". To run it, " + howTo + ". (With CI=true this is a failure.)");
  }

  /** A finished child JVM. */
  record Child(int exit, String output, Duration took) {}

  /**
   * Runs {@code mainClass} in a child JVM on the test class path, with this JVM's environment changed
   * by {@code env}, {@code user.home} in a fresh directory, and at most {@code timeout}.
   */
  static Child java(Class<?> mainClass, Consumer<Map<String, String>> env, Duration timeout, String... args)
      throws IOException, InterruptedException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path home = Files.createTempDirectory(Path.of(System.getProperty("fifochan.tc.buildDir", "target")), "child-home");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.home=" + home,
        "-cp", cp, mainClass.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(home.resolve("output.txt").toFile());
    env.accept(pb.environment());
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("child JVM " + mainClass.getSimpleName() + " " + List.of(args) + " did not finish within " + timeout + ":\n"
          + Files.readString(home.resolve("output.txt"), StandardCharsets.UTF_8));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String out = Files.readString(home.resolve("output.txt"), StandardCharsets.UTF_8);
    System.out.println("child " + mainClass.getSimpleName() + " " + List.of(args) + " (" + took.toMillis() + " ms):\n" + out);
    return new Child(p.exitValue(), out, took);
  }
}
