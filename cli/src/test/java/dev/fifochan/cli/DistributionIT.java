package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The distribution archive unpacks and runs; its bash completion script loads and completes. */
@Timeout(120)
class DistributionIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private Path home;

  private record Result(int code, String out, String err) {}

  private Result sh(String script) throws Exception {
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(home.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("FIFOCHAN_CACHE_DIR", Launcher.cacheDir().resolve("dist").toString());
    Process p = pb.start();
    if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("hung: " + script);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @BeforeEach
  void unpack() throws Exception {
    String dist = System.getProperty("fifochan.dist");
    assertTrue(dist != null && Files.isRegularFile(Path.of(dist)), "the distribution archive is missing: " + dist);
    home = dir;
    Result r = sh("tar -xzf '" + dist + "' && ls -d fifochan-*");
    assertEquals(0, r.code(), r.err());
    home = dir.resolve(r.out().trim());
  }

  @Test
  void unpacksAndRuns() throws Exception {
    assertTrue(Files.isExecutable(home.resolve("bin/fifochan")), "bin/fifochan is executable");
    assertTrue(Files.isRegularFile(home.resolve("lib/fifochan.jar")));
    assertTrue(Files.isRegularFile(home.resolve("README.md")));
    Result r = sh("bin/fifochan --version");
    assertEquals(0, r.code(), r.err());
    assertEquals("fifochan 0.1.0 (wire format 1)\n", r.out());
    assertEquals("", r.err());
    Path vector = InProcess.repoRoot().resolve("testdata/vectors/string-hi.bin");
    r = sh("cd / && '" + home + "/bin/fifochan' inspect --json '" + vector + "' | tail -1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("{\"outcome\":\"clean\""), r.out());
  }

  @Test
  void completionScriptSourcesCleanlyAndCompletes() throws Exception {
    Path script = home.resolve("share/bash-completion/completions/fifochan");
    assertTrue(Files.isRegularFile(script), "completion script in the archive");
    // Sourcing must be silent; the completion function itself is called outside a real completion
    // here, where bash's compopt complains, so its stderr is dropped.
    Result r = sh("source share/bash-completion/completions/fifochan || exit 1; complete -p fifochan || exit 1;"
        + " COMP_WORDS=(fifochan re); COMP_CWORD=1; COMP_LINE='fifochan re'; COMP_POINT=11;"
        + " _complete_fifochan 2>/dev/null; echo \"words: ${COMPREPLY[*]}\";"
        + " COMP_WORDS=(fifochan recv --co); COMP_CWORD=2; COMP_LINE='fifochan recv --co'; COMP_POINT=18;"
        + " _complete_fifochan 2>/dev/null; echo \"options: ${COMPREPLY[*]}\"");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().contains("-F _complete_fifochan fifochan"), r.out());
    assertTrue(r.out().contains("words: recv"), r.out());
    assertTrue(r.out().contains("options: --codec --count"), r.out());
  }

  @Test
  void theArchivedScriptIsWhatTheCommandGenerates() throws Exception {
    Result r = sh("bin/fifochan generate-completion");
    assertEquals(0, r.code(), r.err());
    assertEquals(Files.readString(home.resolve("share/bash-completion/completions/fifochan")), r.out());
  }
}
