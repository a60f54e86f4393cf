package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher script {@code bin/fifochan}. */
@Timeout(120)
class LauncherIT {
  @TempDir
  Path dir;

  private static Result sh(Path script, String... args) throws Exception {
    return sh(Map.of(), script, args);
  }

  private static Result sh(Map<String, String> env, Path script, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = script.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("FIFOCHAN_CACHE_DIR", Launcher.cacheDir().toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "launcher hung");
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private record Result(int code, String out, String err) {}

  @Test
  void startsTheBuiltJar() throws Exception {
    Jar.path();
    Path script = InProcess.repoRoot().resolve("bin/fifochan");
    Result r = sh(script, "--version");
    assertEquals(0, r.code(), r.err());
    assertEquals("fifochan 0.1.0 (wire format 1)\n", r.out());
  }

  @Test
  void worksThroughASymbolicLink() throws Exception {
    Jar.path();
    Path link = Files.createSymbolicLink(dir.resolve("fifochan"), InProcess.repoRoot().resolve("bin/fifochan"));
    Result r = sh(link, "mkfifo", "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Usage: fifochan mkfifo"), r.out());
  }

  @Test
  void explainsHowToBuildWhenTheJarIsMissing() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("repo/bin"));
    Path copy = Files.copy(InProcess.repoRoot().resolve("bin/fifochan"), bin.resolve("fifochan"));
    Result r = sh(copy, "demo");
    assertEquals(ExitCode.CANNOT_RUN.code(), r.code());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.contains("cli/target/fifochan.jar not found"), line);
    assertTrue(line.contains("mvn -q -DskipTests package"), line);
    assertEquals("", r.out());
  }

  @Test
  void saysSoInOneLineWhenNoJavaIsFound() throws Exception {
    Jar.path();
    // A PATH with the tools the launcher uses, but no java.
    Path tools = Files.createDirectories(dir.resolve("tools"));
    for (String tool : new String[] {"readlink", "dirname", "sed"}) {
      Files.createSymbolicLink(tools.resolve(tool), which(tool));
    }
    Map<String, String> env = new HashMap<>();
    env.put("PATH", tools.toString());
    env.put("JAVA_HOME", dir.resolve("no-such-jdk").toString());
    Result r = sh(env, InProcess.repoRoot().resolve("bin/fifochan"), "--version");
    assertEquals(ExitCode.CANNOT_RUN.code(), r.code(), r.err());
    assertEquals("fifochan: no java found: install Java 17 or later, or set JAVA_HOME", Launcher.oneLine(r.err()));
    assertEquals("", r.out());
  }

  @ParameterizedTest
  @CsvSource({"11.0.2, 11", "1.8.0_292, 8"})
  void refusesAJavaOlderThan17InOneLine(String javaVersion, int major) throws Exception {
    Jar.path();
    // An old JDK as far as the launcher can tell: its release file, and a java that must not be started.
    Path jdk = Files.createDirectories(dir.resolve("old-jdk/bin"));
    Path java = Files.writeString(jdk.resolve("java"), "#!/bin/sh\necho started >&2\nexit 42\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("old-jdk/release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");
    Result r = sh(Map.of("JAVA_HOME", dir.resolve("old-jdk").toString()), InProcess.repoRoot().resolve("bin/fifochan"),
        "--version");
    assertEquals(ExitCode.CANNOT_RUN.code(), r.code(), r.err());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.startsWith("fifochan: ") && line.contains("is Java " + major + ": fifochan needs Java 17 or later"),
        line);
    assertEquals("", r.out());
  }

  private static Path which(String tool) {
    for (String d : new String[] {"/usr/bin", "/bin"}) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(tool + " not found in /usr/bin or /bin");
  }
}
