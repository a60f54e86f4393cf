package dev.fifochan.it.nats;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Go NATS peer ({@code go/nats/cmd/fifochan-nats-peer}) once per test JVM into {@code target/}.
 * Without a Go toolchain the tests are skipped, except under {@code CI=true}, where that fails.
 */
final class GoNatsPeer {
  private static Path binary;

  private GoNatsPeer() {}

  static synchronized Path binary() throws Exception {
    if (binary != null) {
      return binary;
    }
    String go = findGo();
    if (go == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but no Go toolchain on PATH: the NATS interop tests cannot run");
      }
      assumeTrue(false, "SKIPPED: no Go toolchain on PATH (needed for the Go NATS peer; with CI=true this is a failure)");
    }
    String module = System.getProperty("fifochan.it.goModule");
    Path goNats = module != null ? Path.of(module, "nats") : Path.of(System.getenv("FIFOCHAN_REPO_ROOT"), "go", "nats");
    Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target")).toAbsolutePath().resolve("fifochan-nats-peer");
    Process p = new ProcessBuilder(go, "build", "-o", out.toString(), "./cmd/fifochan-nats-peer").directory(goNats.toFile())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "go build in " + goNats + " failed:\n" + log);
    return binary = out;
  }

  private static String findGo() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "go"))) {
        return Path.of(d, "go").toString();
      }
    }
    return Files.isExecutable(Path.of("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : null;
  }
}
