package dev.fifochan.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Programs the tests run from PATH, and the repository they run in. */
final class Tools {
  private Tools() {}

  /** The executable {@code name} on PATH, or null. */
  static Path find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * The executable {@code name} on PATH; without it the test is skipped with a reason on a developer
   * machine and fails when {@code CI=true}.
   */
  static Path require(String name, String install) {
    Path p = find(name);
    if (p == null) {
      if (ProcessTestSupport.onCi()) {
        fail("CI=true but '" + name + "' is not on PATH, so this test cannot run: " + install);
      }
      Assumptions.abort("SKIPPED: '" + name + "' is not on PATH; " + install + " to run this test (with CI=true this is a"
          + " failure)");
    }
    return p;
  }

  /** The repository's root directory. */
  static Path repoRoot() {
    String prop = System.getProperty("fifochan.it.repoRoot");
    if (prop != null) {
      return Path.of(prop);
    }
    String env = System.getenv("FIFOCHAN_REPO_ROOT");
    return env != null ? Path.of(env) : Path.of(System.getProperty("user.dir")).getParent();
  }
}
