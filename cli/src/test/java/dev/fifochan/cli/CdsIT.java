package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data sharing archive: trained on the first run into a cache directory only
 * this user may write, mapped by later runs; an archive the JVM cannot use costs a warning on
 * stderr at most, never stdout and never the command.
 */
@Timeout(120)
class CdsIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);
  private static final String VERSION = "fifochan 0.1.0 (wire format 1)\n";

  @TempDir
  Path dir;

  private static List<String> files(Path cache) throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private Launcher launcher(Path cache) {
    return Launcher.repo().env("FIFOCHAN_CACHE_DIR", cache.toString());
  }

  @Test
  void theFirstRunTrainsTheArchiveAndLaterRunsMapIt() throws IOException {
    Path cache = dir.resolve("cache");
    Launcher.Run first = launcher(cache).run(dir, LIMIT, "--version");
    assertEquals(0, first.exitCode(), first.toString());
    assertEquals(VERSION, first.out());
    assertEquals("", first.err());
    List<String> files = files(cache);
    assertEquals(1, files.size(), files.toString());
    assertTrue(files.get(0).matches("fifochan-[0-9]+-[0-9]+\\.jsa"), files.toString());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));

    Launcher.Run second = launcher(cache).javaOpts("-Xlog:class+load").run(dir, LIMIT, "--version");
    assertEquals(0, second.exitCode(), second.toString());
    assertEquals(VERSION, second.out(), "the class-loading log goes to stderr");
    assertTrue(second.err().contains("dev.fifochan.cli.Cli source: shared objects file (top)"), second.err());
    assertEquals(files, files(cache), "trained once");
  }

  @Test
  void anArchiveTheJvmCannotUseWarnsOnStderrAtMost() throws IOException {
    Path cache = dir.resolve("cache");
    assertEquals(0, launcher(cache).run(dir, LIMIT, "--version").exitCode());
    Path archive = cache.resolve(files(cache).get(0));
    byte[] garbage = new byte[(int) Files.size(archive)];
    new Random(1).nextBytes(garbage);
    archive.toFile().setWritable(true);
    Files.write(archive, garbage);
    Launcher.Run r = launcher(cache).run(dir, LIMIT, "--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(VERSION, r.out());
  }

  @Test
  void aStaleOrMissingArchiveGivenByTheUserWarnsOnStderrOnly() throws Exception {
    // An archive of another jar: the JVM refuses it with a unified-logging warning, which HotSpot
    // writes to stdout unless the launcher moved stdout away.
    Path copy = Files.copy(Jar.path(), dir.resolve("other.jar"));
    Path stale = dir.resolve("stale.jsa");
    Process dump = new ProcessBuilder(Jar.java(), "-XX:+UseSerialGC", "-XX:ArchiveClassesAtExit=" + stale, "-cp",
        copy.toString(), "dev.fifochan.cli.Main", "--version").redirectErrorStream(true)
        .redirectOutput(dir.resolve("dump.log").toFile()).start();
    assertTrue(dump.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && dump.exitValue() == 0, "dump");
    Launcher.Run r = Launcher.repo().env("FIFOCHAN_CDS", "off").javaOpts("-XX:SharedArchiveFile=" + stale)
        .run(dir, LIMIT, "--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(VERSION, r.out());
    assertTrue(r.err().contains("[warning][cds"), r.toString());

    Launcher.Run missing = Launcher.repo().env("FIFOCHAN_CDS", "off")
        .javaOpts("-XX:SharedArchiveFile=" + dir.resolve("missing.jsa")).run(dir, LIMIT, "--version");
    assertEquals(0, missing.exitCode(), missing.toString());
    assertEquals(VERSION, missing.out());
  }

  @Test
  void noArchiveWhereOthersMayWriteOrWhenTurnedOff() throws IOException {
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Launcher.Run r = launcher(shared).run(dir, LIMIT, "--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(VERSION, r.out());
    assertEquals("", r.err());
    assertEquals(List.of(), files(shared), "an archive is code: none in a directory others may write");

    Path off = dir.resolve("off");
    r = launcher(off).env("FIFOCHAN_CDS", "off").run(dir, LIMIT, "--version");
    assertEquals(VERSION, r.out());
    assertTrue(Files.notExists(off), "FIFOCHAN_CDS=off leaves no trace");

    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    r = launcher(notADirectory).run(dir, LIMIT, "--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(VERSION, r.out());
    assertEquals("", r.err());
  }
}
