package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Issue 13: an application that is itself a named module ({@code src/test/modules/dev.fifochan.it.modapp},
 * compiled here) runs on the module path with api, transport-fifo and codec-json as modules — and
 * Jackson and jffi, nothing else — and sends and receives one message over a FIFO in a child JVM.
 * The receiver's codec is the one {@code Codecs.byName("json")} finds through the module graph's
 * service bindings; the internal packages are not exported.
 */
class ModulePathTest extends ProcessTestSupport {
  private static final String APP = "dev.fifochan.it.modapp";

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void anApplicationModuleSendsAndReceivesOverAFifoWithTheLibraryOnTheModulePath() throws Exception {
    List<String> modulePath = new ArrayList<>();
    for (String entry : testClassPath()) {
      String e = entry.replace('\\', '/');
      if (e.matches(".*/(api|transport-fifo|codec-json)/target/classes")
          || e.matches(".*/fifochan-(api|transport-fifo|codec-json)-[^/]*\\.jar")
          || e.matches(".*/jackson-(core|databind|annotations|datatype-jsr310|datatype-jdk8|module-parameter-names)-[^/]*\\.jar") || e.matches(".*/jffi-[^/]*\\.jar")) {
        modulePath.add(entry);
      }
    }
    assertEquals(11, modulePath.size(),
        "api, transport-fifo, codec-json, 3 Jackson, 3 Jackson modules (java.time, Optional, parameter names) and 2 jffi entries: " + modulePath);

    Path sources = Path.of("src/test/modules", APP).toAbsolutePath();
    Path classes = Path.of(System.getProperty("fifochan.it.buildDir", "target"), "modapp").toAbsolutePath();
    List<String> files;
    try (Stream<Path> s = Files.walk(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter log = new StringWriter();
    List<String> options = List.of("--release", "17", "-Xlint:all", "-Werror", "-d", classes.toString(),
        "--module-path", String.join(File.pathSeparator, modulePath));
    boolean compiled = javac.getTask(log, null, null, options, null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromStrings(files)).call();
    assertTrue(compiled, "the application module compiles against the exported packages only:\n" + log);

    List<String> run = new ArrayList<>(modulePath);
    run.add(classes.toString());
    ChildProcess app = procs.start("modapp", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "--module-path", String.join(File.pathSeparator, run),
        "-m", APP + "/" + APP + ".Main", dir.toString()));
    assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app::describe);
    assertEquals(List.of(
            "received={\"id\":1,\"item\":\"book\",\"qty\":2} then a clean end",
            "modules=" + APP + ",dev.fifochan.fifo,dev.fifochan.json,dev.fifochan",
            "codec=dev.fifochan.json/json",
            "exported=true,true internal=false,false"),
        app.stdoutLines(), app::describe);
  }

  /** The test class path, entry by entry (through Surefire's manifest-only jar if there is one). */
  private static List<String> testClassPath() throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> out = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        out.add(e);
      }
    }
    return out;
  }
}
