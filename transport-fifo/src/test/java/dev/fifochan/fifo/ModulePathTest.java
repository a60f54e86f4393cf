package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.fifo.modcheck.ModuleProbe;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The module {@code dev.fifochan.fifo} on the module path: it resolves with jffi's automatic
 * modules, loads the native stub from jffi's native jar, works, and exports only
 * {@code dev.fifochan.fifo}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModulePathTest {
  @Test
  void theModuleWorksOnTheModulePathAndHidesItsInternals() throws Exception {
    List<String> modulePath = new ArrayList<>();
    List<String> classPath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      boolean main = entry.replace('\\', '/').endsWith("transport-fifo/target/classes");
      boolean api = entry.replace('\\', '/').matches(".*/api/target/classes|.*fifochan-api[^/]*\\.jar");
      if (main || api || entry.contains("jffi")) {
        modulePath.add(entry);
      } else {
        classPath.add(entry);
      }
    }
    assertEquals(4, modulePath.size(), "module path " + modulePath);
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
        "--module-path", String.join(File.pathSeparator, modulePath),
        "--add-modules", "dev.fifochan.fifo",
        "-cp", String.join(File.pathSeparator, classPath),
        ModuleProbe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals("module=dev.fifochan.fifo exported=true internalExported=false received=over the module path", out);
  }
}
