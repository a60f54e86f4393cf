package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 9 of issue 9: with a {@code noexec} temporary directory the 0.1 transport threw
 * {@code UnsatisfiedLinkError}, then a cause-less {@code NoClassDefFoundError} on the next call.
 * Now every call throws {@link NativeUnavailableException} naming the remedy, and nothing is written
 * to the working directory (or to the noexec directory). Each case runs in a fresh JVM whose
 * {@code java.io.tmpdir} (or {@code jffi.extract.dir}) is on a real {@code noexec} tmpfs mount.
 *
 * <p>Each probe makes four calls through different doors (create twice, a following receiver, a FIFO
 * pair's connector). Mounting needs root (CI runs as root); elsewhere the test is skipped, except under
 * {@code CI=true}, where it fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeLoadingTest {
  private static Path mountPoint;

  @TempDir Path work;

  /** A fresh JVM: two calls that need native code; prints one line per call, then the working directory's entries. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) {
      Path dir = Path.of(args[0]);
      for (int call = 1; call <= 4; call++) {
        try {
          switch (call) {
            case 1:
            case 2:
              Fifo.create(dir.resolve("f" + call));
              break;
            case 3:
              Fifo.openReceiver(dir.resolve("r"), dev.fifochan.Codecs.string(), dev.fifochan.ChannelConfig.defaults(),
                  FifoOptions.builder().follow(true).build()).close();
              break;
            default:
              FifoPair.of(dir.resolve("q"), dir.resolve("a"), FifoOptions.defaults())
                  .connector(dev.fifochan.ChannelConfig.defaults()).connect(dev.fifochan.Deadline.after(java.time.Duration.ofMillis(200))).close();
          }
          System.out.println("call " + call + ": ok");
        } catch (NativeUnavailableException e) {
          System.out.println("call " + call + ": " + e.getClass().getSimpleName() + " reason=" + e.reason()
              + " directory=" + e.directory() + " platform=" + e.platform() + " | " + e.getMessage());
        } catch (Throwable e) {
          System.out.println("call " + call + ": " + e);
        }
      }
      String[] left = Path.of("").toAbsolutePath().toFile().list();
      System.out.println("working directory entries: " + (left == null ? "?" : left.length));
    }
  }

  @BeforeAll
  static void mountNoexecTmpfs() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    if (!FifoTesting.isRoot()) {
      if (ci) {
        fail("CI must run this test as root: it mounts a noexec tmpfs");
      }
      Assumptions.assumeTrue(false, "not root and not CI: cannot mount a noexec tmpfs");
    }
    mountPoint = Files.createTempDirectory("fifochan-noexec");
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=8m,mode=1777", "tmpfs", mountPoint.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      Files.deleteIfExists(mountPoint);
      mountPoint = null;
      if (ci) {
        fail("mount -o noexec failed: " + out);
      }
      Assumptions.assumeTrue(false, "mount -o noexec failed here: " + out);
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mountPoint != null) {
      new ProcessBuilder("umount", mountPoint.toString()).inheritIO().start().waitFor();
      Files.deleteIfExists(mountPoint);
    }
  }

  private List<String> runProbe(List<String> jvmOptions, Path cwd) throws Exception {
    Path fifoDir = Files.createDirectories(work.resolve("fifos"));
    Process p = new ProcessBuilder(FifoTesting.javaCommand(jvmOptions, Probe.class, fifoDir.toString()))
        .directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (l.startsWith("call ") || l.startsWith("working directory")) {
        lines.add(l);
      }
    }
    assertEquals(5, lines.size(), out);
    return lines;
  }

  private static void assertUnavailable(String line, String reason, Path directory) {
    assertTrue(line.contains("NativeUnavailableException reason=" + reason), line);
    assertTrue(line.contains("directory=" + directory), line);
    assertTrue(line.contains("-Djffi.extract.dir=DIR") && line.contains("java.io.tmpdir") && line.contains("noexec"),
        "the message names the remedy: " + line);
    assertTrue(line.contains("platform=Linux "), line);
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void aNoexecTemporaryDirectoryGivesTheTypedExceptionOnEveryCallAndWritesNothing() throws Exception {
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    long before = entries(mountPoint);
    List<String> lines = runProbe(List.of("-Djava.io.tmpdir=" + mountPoint), cwd);
    for (int call = 0; call < 4; call++) { // create, create again, a following receiver, a FIFO pair
      assertUnavailable(lines.get(call), "NOEXEC_DIRECTORY", mountPoint);
    }
    assertEquals("working directory entries: 0", lines.get(4));
    assertEquals(0, entries(cwd), "nothing written to the working directory");
    assertEquals(before, entries(mountPoint), "nothing written to the noexec directory");
  }

  @Test
  void aNoexecExtractDirectoryIsNamedAsSuch() throws Exception {
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    Path extract = Files.createDirectories(mountPoint.resolve("extract"));
    List<String> lines = runProbe(List.of("-Djffi.extract.dir=" + extract), cwd);
    for (int call = 0; call < 4; call++) {
      assertUnavailable(lines.get(call), "NOEXEC_DIRECTORY", extract);
    }
    assertEquals(0, entries(cwd));
    assertEquals(0, entries(extract));
  }

  @Test
  void theRemedyWorksAndLeavesNothingBehind() throws Exception {
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    Path tmp = Files.createDirectories(work.resolve("tmp")); // on an exec file system
    List<String> lines = runProbe(List.of("-Djava.io.tmpdir=" + tmp), cwd);
    assertEquals("call 1: ok", lines.get(0));
    assertEquals("call 2: ok", lines.get(1));
    assertEquals("call 3: ok", lines.get(2));
    assertTrue(lines.get(3).startsWith("call 4: dev.fifochan.OpenTimeoutException") || lines.get(3).equals("call 4: ok"), lines.get(3));
    assertEquals("working directory entries: 0", lines.get(4));
    assertEquals(0, entries(tmp), "the private extraction directory is removed after loading");
  }
}
