package dev.fifochan.it.rpc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Go peer ({@code go/cmd/fifochan-peer}, whose {@code rpc-serve} and {@code rpc-client} are the
 * Go side of these tests) once per test JVM into {@code target/fifochan-peer-rpc}. Without a Go toolchain
 * the tests are skipped on a developer machine and fail under {@code CI=true}.
 */
final class GoRpcPeer {
  private static Path binary;
  private static AssertionError failure;

  private GoRpcPeer() {}

  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    if (failure != null) {
      throw failure;
    }
    Path go = findGo();
    if (go == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw failure = new AssertionError("CI=true but no Go toolchain ('go') on PATH: the Go rpc tests cannot run");
      }
      assumeTrue(false, "SKIPPED: no Go toolchain ('go') on PATH (with CI=true this is a failure)");
    }
    Path module = goModule();
    Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target")).toAbsolutePath().resolve("fifochan-peer-rpc");
    try {
      Path log = Files.createTempFile("go-build", ".log");
      Process p = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), "./cmd/fifochan-peer")
          .directory(module.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw failure = new AssertionError("go build of the Go peer did not finish within 10 minutes");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      if (p.exitValue() != 0) {
        throw failure = new AssertionError("go build ./cmd/fifochan-peer in " + module + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw failure = new AssertionError("cannot run go build in " + module, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted building the Go peer", e);
    }
    return binary = out;
  }

  /** Starts {@code fifochan-peer COMMAND -req REQ -rsp RSP args...} and waits for READY. */
  static Child start(String name, String command, Path req, Path rsp, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), command, "-req", req.toString(), "-rsp",
        rsp.toString()));
    cmd.addAll(List.of(args));
    return Child.start(name, cmd);
  }

  private static Path goModule() {
    String prop = System.getProperty("fifochan.it.goModule");
    if (prop != null) {
      return Path.of(prop);
    }
    return Path.of(System.getProperty("user.dir")).resolveSibling("go");
  }

  private static Path findGo() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "go");
      if (!dir.isEmpty() && Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
