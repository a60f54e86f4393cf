package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command's help, rendered by the real launcher: exit 0, the usage on stdout, nothing on
 * stderr. picocli prints its warnings (e.g. about a stray {@code %} in a description) on the
 * JVM's stderr, which an in-process test does not see.
 */
@Timeout(120)
class HelpIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  static Stream<String> commands() {
    return HelpTextTest.commands();
  }

  @ParameterizedTest
  @MethodSource("commands")
  void rendersWithoutWarnings(String command) {
    Launcher.Run r = Launcher.repo().run(dir, LIMIT, command, "--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err(), "stderr of fifochan " + command + " --help");
    assertTrue(r.out().startsWith("Usage: fifochan " + command), r.out());
  }

  @Test
  void topLevelHelpRendersWithoutWarnings() {
    Launcher.Run r = Launcher.repo().run(dir, LIMIT, "--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("Usage: fifochan "), r.out());
  }
}
