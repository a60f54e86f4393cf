package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wire format can be implemented from the document alone: testdata/peer.py, a standard-library
 * Python peer, decodes every shared vector and re-encodes the clean ones byte for byte.
 */
class PythonPeerTest {

  @Test
  @Timeout(120)
  void pythonPeerAgreesWithEveryTestVector() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean hasPython = hasPython();
    if (!ci) {
      assumeTrue(hasPython, "python3 is not on PATH: install it to run the Python peer check");
    }
    assertTrue(hasPython, "CI=true requires python3 for the Python peer check");
    Path root = TestChannels.repoRoot();
    Process p = new ProcessBuilder("python3", root.resolve("testdata/peer.py").toString(), "check-vectors")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python peer did not finish");
    assertEquals(0, p.exitValue(), out);
    long vectors;
    try (var files = Files.list(root.resolve("testdata/vectors"))) {
      vectors = files.filter(f -> f.toString().endsWith(".json")).count();
    }
    assertEquals(vectors, out.lines().filter(l -> l.startsWith("ok ")).count(), out);
  }

  private static boolean hasPython() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
