package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script {@code bin/fifochan}. */
@Timeout(120)
class LauncherIT {
  @TempDir
  Path dir;

  private static Result sh(Path script, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = script.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).start();
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
    assertEquals(1, r.code());
    assertTrue(r.err().contains("cli/target/fifochan.jar not found"), r.err());
    assertTrue(r.err().contains("mvn -q -DskipTests package"), r.err());
    assertEquals("", r.out());
  }
}
