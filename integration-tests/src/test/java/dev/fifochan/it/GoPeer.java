package dev.fifochan.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Go peer ({@code go/cmd/fifochan-peer}) once per test JVM into the module's
 * {@code target/}. Without a Go toolchain on PATH the Go tests are skipped with a reason on a
 * developer machine, and fail when {@code CI=true}.
 */
final class GoPeer {
  private static Path binary;
  private static AssertionError failure;

  private GoPeer() {}

  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    if (failure != null) {
      throw failure;
    }
    Path go = findGo();
    if (go == null) {
      if (ProcessTestSupport.onCi()) {
        throw failure = new AssertionError("CI=true but no Go toolchain ('go') on PATH: the Go interop tests cannot run;"
            + " install Go 1.22+");
      }
      assumeTrue(false, "SKIPPED: no Go toolchain ('go') on PATH; install Go 1.22+ to run the Go interop tests"
          + " (with CI=true this is a failure)");
    }
    Path module = goModule();
    Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target")).toAbsolutePath().resolve("fifochan-peer");
    try {
      Path log = Files.createTempFile("go-build", ".log");
      ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), "./cmd/fifochan-peer")
          .directory(module.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw failure = new AssertionError("go build of the Go peer did not finish within 10 minutes");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      if (p.exitValue() != 0) {
        throw failure = new AssertionError("go build ./cmd/fifochan-peer in " + module + " failed (exit " + p.exitValue()
            + "):\n" + output);
      }
    } catch (IOException e) {
      throw failure = new AssertionError("cannot run go build in " + module, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted building the Go peer", e);
    }
    return binary = out;
  }

  static List<String> command(String... args) {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Path goModule() {
    String prop = System.getProperty("fifochan.it.goModule");
    if (prop != null) {
      return Path.of(prop);
    }
    String root = System.getenv("FIFOCHAN_REPO_ROOT");
    if (root != null) {
      return Path.of(root, "go");
    }
    return Path.of(System.getProperty("user.dir")).resolveSibling("go");
  }

  private static Path findGo() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "go");
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
