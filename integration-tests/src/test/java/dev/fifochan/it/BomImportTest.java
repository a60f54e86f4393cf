package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Maven project that imports {@code fifochan-bom} and declares fifochan's modules and the
 * third-party libraries (Jackson with its java.time/Optional/parameter-names modules, protobuf-java,
 * jffi and its native jar, jnats, Micrometer, OpenTelemetry) without versions gets the versions this
 * build used: {@code tools/bom-check.sh} builds such a project in a temporary directory (nothing is
 * installed into {@code ~/.m2}) and compares its effective POM with {@code bom/pom.xml}.
 */
class BomImportTest {
  @Test
  void aProjectImportingTheBomGetsTheBuildsVersions() throws IOException, InterruptedException {
    Tools.require("mvn", "install Maven");
    Tools.require("python3", "install python3");
    Path script = Tools.repoRoot().resolve("tools/bom-check.sh");
    Path log = Files.createTempFile("bom-check", ".log");
    try {
      Process p = new ProcessBuilder("bash", script.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      // Generous: a loaded machine; normally 5-30 s.
      boolean done = p.waitFor(10, TimeUnit.MINUTES);
      if (!done) {
        p.destroyForcibly().waitFor();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(done, "tools/bom-check.sh did not finish in 10 minutes; killed. Output:\n" + out);
      assertEquals(0, p.exitValue(), "tools/bom-check.sh failed:\n" + out);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
