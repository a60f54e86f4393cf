package dev.fifochan.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Runs bash scripts with {@code $F} the launcher ({@code bin/fifochan}), stdout and stderr into files. */
final class Shell {
  private Shell() {}

  static Jar.Run start(Path dir, String script, Map<String, String> env) throws IOException {
    Path out = Files.createTempFile(dir, "stdout-", ".txt");
    Path err = Files.createTempFile(dir, "stderr-", ".txt");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("F", InProcess.repoRoot().resolve("bin/fifochan").toString());
    pb.environment().put("FIFOCHAN_CACHE_DIR", Launcher.cacheDir().toString());
    pb.environment().put("FIFOCHAN_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    pb.environment().putAll(env);
    return new Jar.Run(pb.start(), out, err);
  }

  static Jar.Run run(Path dir, Duration timeout, String script, Map<String, String> env) throws IOException {
    return start(dir, script, env).await(timeout);
  }

  static Jar.Run run(Path dir, Duration timeout, String script) throws IOException {
    return run(dir, timeout, script, Map.of());
  }
}
