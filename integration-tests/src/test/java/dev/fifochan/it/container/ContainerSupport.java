package dev.fifochan.it.container;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.fifochan.testcontainers.DockerNotUsableException;
import dev.fifochan.testcontainers.FifoDocker;
import dev.fifochan.testcontainers.FifoVolume;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

/**
 * Docker plumbing for the container tests, for a machine without any image registry: every image is
 * built locally from {@code scratch} and nothing is pulled.
 *
 * <ul>
 *   <li>{@link #JVM_IMAGE}: an empty image. A Java peer runs in it with the host's JDK, the shared
 *       libraries it needs (found with {@code ldd}), the files outside the JDK that it links to
 *       (Debian keeps {@code lib/jvm.cfg} and {@code conf} in {@code /etc}) and the test class path,
 *       all bind-mounted read-only at their host paths. It needs a local daemon that sees this file
 *       system, which is what the tests run against.</li>
 *   <li>{@link #GO_IMAGE}: the static {@code fifochan-peer} ({@code CGO_ENABLED=0 go build}) alone.</li>
 * </ul>
 *
 * Without a Docker daemon the tests are skipped with a message saying how to start one, except when
 * {@code CI=true}: then they fail.
 */
final class ContainerSupport {
  static final String JVM_IMAGE = "fifochan-it/jvm-scratch:1.0.0";
  static final String GO_IMAGE = "fifochan-it/go-peer:1.0.0";
  /** Bound on every wait for a container: start, log line, exit. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
  private static final String HOW_TO_ENABLE =
      "run `bash .ci/docker.sh` (it starts dockerd, installing docker.io if needed)";

  private static Path goBinary;
  private static List<String> jvmMounts;

  private ContainerSupport() {}

  /**
   * Skips the calling test class (or fails it, under CI) when no Docker daemon answers; fails it with
   * the check's message when the daemon cannot carry FIFOs or Testcontainers is not configured for it
   * ({@link FifoDocker}).
   */
  static void requireDocker() {
    try {
      FifoDocker.require();
    } catch (DockerNotUsableException e) {
      if (e.reason() == DockerNotUsableException.Reason.NO_DAEMON) {
        unavailable(e.getMessage());
      }
      fail(e.getMessage() + " (integration-tests/pom.xml sets the Testcontainers variables for Maven runs)", e);
    }
    if (!"true".equals(System.getenv("TESTCONTAINERS_CHECKS_DISABLE"))) {
      // Without it Testcontainers pulls an image for its checks, which stalls where there is no registry.
      fail("TESTCONTAINERS_CHECKS_DISABLE=true is not set: run the container tests through Maven"
          + " (integration-tests/pom.xml sets it) or set it yourself");
    }
  }

  /** Like {@link #requireDocker()}, for the Go toolchain that builds {@code fifochan-peer}. */
  static void requireGo() {
    requireDocker();
    String howTo = "install Go (1.21 or later) on PATH; the tests build go/cmd/fifochan-peer with CGO_ENABLED=0";
    if (goModule() == null || !Files.isDirectory(goModule().resolve("cmd/fifochan-peer"))) {
      unavailable("the Go peer's sources (go/cmd/fifochan-peer) are missing", "merge the Go peer");
    }
    try {
      Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        unavailable("`go version` failed", howTo);
      }
    } catch (IOException | InterruptedException e) {
      unavailable("no Go toolchain on PATH (" + e.getMessage() + ")", howTo);
    }
  }

  /** For tests that chown: skipped when not root, failed under CI. */
  static void requireRoot(String why) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
        unavailable("the test does not run as root (" + why + ")", "run the tests as root");
      }
    }
  }

  private static void unavailable(String problem) {
    unavailable(problem, HOW_TO_ENABLE);
  }

  private static void unavailable(String problem, String howTo) {
    if (CI) {
      fail("CI=true but " + problem + ", so the container tests cannot run: " + howTo + " first.");
    }
    String message = "Container tests skipped: " + problem + ". To enable them, " + howTo
        + ". (With CI=true they fail instead of skipping.)";
    System.err.println(message);
    Assumptions.abort(message);
  }

  static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  /** Builds the empty image the Java peer runs in (under a second). */
  static void buildJvmImage() throws Exception {
    jvmImage().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The empty image the Java peer runs in, built when first resolved. */
  static ImageFromDockerfile jvmImage() {
    return new ImageFromDockerfile(JVM_IMAGE, false)
        .withFileFromString("Dockerfile", "FROM scratch\nLABEL dev.fifochan.it=jvm-scratch\n");
  }

  /**
   * For test classes whose containers start before their {@code @BeforeAll} methods (Testcontainers'
   * {@code @Container} fields): skips the class without Docker, fails it under CI.
   */
  static final class DockerRequired implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      try {
        requireDocker();
        return ConditionEvaluationResult.enabled("a Docker daemon answers");
      } catch (TestAbortedException e) {
        return ConditionEvaluationResult.disabled(e.getMessage());
      }
    }
  }

  /** Builds the static Go peer (once per JVM) and the image holding only it. */
  static void buildGoImage() throws Exception {
    Path bin = goBinary();
    new ImageFromDockerfile(GO_IMAGE, false)
        .withFileFromPath("fifochan-peer", bin)
        // Exec form: there is no /bin/sh to run a shell-form ENTRYPOINT.
        .withFileFromString("Dockerfile", String.join("\n",
            "FROM scratch",
            "LABEL dev.fifochan.it=go-peer",
            "COPY fifochan-peer /fifochan-peer",
            "ENTRYPOINT [\"/fifochan-peer\"]", ""))
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Removes images by tag; missing ones are fine. Containers using them must be gone already. */
  static void removeImages(String... tags) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return;
    }
    for (String tag : tags) {
      try {
        docker().removeImageCmd(tag).withForce(true).exec();
      } catch (NotFoundException e) {
        // not built
      }
    }
  }

  /**
   * A container running {@link JavaPeer} with {@code args}, the volume (if not null) mounted at
   * {@code /fifo}, no network. {@code start()} returns when the peer printed READY.
   */
  static GenericContainer<?> javaPeer(String name, FifoVolume volume, String... args) throws IOException {
    return javaPeer(new GenericContainer<>(DockerImageName.parse(JVM_IMAGE)), name, volume, args);
  }

  /** {@link #javaPeer(String, FifoVolume, String...)} in a given container (for example of {@link #jvmImage()}). */
  static GenericContainer<?> javaPeer(GenericContainer<?> c, String name, FifoVolume volume, String... args)
      throws IOException {
    for (String path : jvmMounts()) {
      c.withFileSystemBind(path, path, BindMode.READ_ONLY);
    }
    // jffi unpacks its native stub into a private directory under java.io.tmpdir and maps it executable.
    c.withTmpFs(Map.of("/tmp", "rw,exec,nosuid,nodev,mode=1777"));
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx64m", "-Xss512k",
        "-cp", String.join(":", classPath()), JavaPeer.class.getName()));
    cmd.addAll(List.of(args));
    c.withCommand(cmd.toArray(String[]::new));
    return common(c, name, volume).waitingFor(Wait.forLogMessage("READY.*\\n", 1).withStartupTimeout(TIMEOUT));
  }

  /**
   * A container running {@code fifochan-peer} with {@code args}. {@code start()} only waits for the
   * container to run: the Go peer prints READY once its FIFOs are open, which may need the other
   * side first; use {@link #awaitLog} for that.
   */
  static GenericContainer<?> goPeer(String name, FifoVolume volume, String... args) {
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(GO_IMAGE)).withCommand(args)
        // --init: the kernel ignores a SIGKILL that PID 1 sends itself (`send -kill-after` would survive).
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true))
        // The peer may be done (or dead on purpose) before start() looks: the tests check exit codes.
        .withStartupCheckStrategy(new StartupCheckStrategy() {
          @Override
          public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return StartupStatus.SUCCESSFUL;
          }
        });
    return common(c, name, volume);
  }

  private static GenericContainer<?> common(GenericContainer<?> c, String name, FifoVolume volume) {
    if (volume != null) {
      volume.mountInto(c);
    }
    return c.withNetworkMode("none")
        .withLogConsumer((OutputFrame f) -> {
          String text = f.getUtf8StringWithoutLineEnding();
          if (f.getType() != OutputFrame.OutputType.END && !text.isEmpty()) {
            System.out.println("[" + name + "] " + text);
          }
        });
  }

  /**
   * Mounts the Docker named volume {@code volumeName} at {@code path} (Docker creates the volume if
   * it does not exist; remove it with {@link #removeVolume}).
   */
  static GenericContainer<?> withNamedVolume(GenericContainer<?> c, String volumeName, String path) {
    return c.withCreateContainerCmdModifier(cmd -> {
      Bind[] binds = cmd.getHostConfig().getBinds();
      List<Bind> all = new ArrayList<>(binds == null ? List.of() : List.of(binds));
      all.add(new Bind(volumeName, new Volume(path)));
      cmd.getHostConfig().withBinds(all);
    });
  }

  static void removeVolume(String volumeName) {
    try {
      docker().removeVolumeCmd(volumeName).exec();
    } catch (NotFoundException e) {
      // never created
    }
  }

  /** All the container's output so far (both runs if it was restarted). */
  static String logs(GenericContainer<?> c) {
    return c.getLogs();
  }

  /** Waits until the container's output matches {@code regex} at least {@code times} times; returns the output. */
  static String awaitLog(GenericContainer<?> c, String regex, int times) throws InterruptedException {
    Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      String logs = c.getLogs();
      Matcher m = p.matcher(logs);
      int n = 0;
      while (m.find()) {
        n++;
      }
      if (n >= times) {
        return logs;
      }
      if (System.nanoTime() > deadline) {
        fail("no " + times + " x /" + regex + "/ in the output of " + c.getContainerId() + " within " + TIMEOUT
            + "; output:\n" + logs);
      }
      Thread.sleep(50);
    }
  }

  /** Waits (bounded) for the container to exit and returns its exit code. */
  static int awaitExit(GenericContainer<?> c) {
    try {
      return docker().waitContainerCmd(c.getContainerId()).start().awaitStatusCode(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw new AssertionError("container did not exit within " + TIMEOUT + "; output:\n" + c.getLogs(), e);
    }
  }

  /** SIGKILLs the container's process (as a crash or an OOM kill would) and waits for it to be gone. */
  static void kill(GenericContainer<?> c) {
    docker().killContainerCmd(c.getContainerId()).exec();
    awaitExit(c);
  }

  /** Starts the same (stopped) container again: same command, same mounts. */
  static void restart(GenericContainer<?> c) {
    docker().startContainerCmd(c.getContainerId()).exec();
  }

  // ---------------------------------------------------------------------------------------------
  // What the Java peer needs from the host

  private static synchronized List<String> jvmMounts() throws IOException {
    if (jvmMounts == null) {
      Set<Path> paths = new TreeSet<>();
      Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
      paths.add(javaHome);
      // Files the JDK links to outside its directory (Debian: lib/jvm.cfg, conf/, lib/security/cacerts).
      try (Stream<Path> files = Files.walk(javaHome)) {
        for (Path link : files.filter(Files::isSymbolicLink).toList()) {
          if (!Files.exists(link)) {
            continue; // dangling (docs)
          }
          Path target = link.toRealPath();
          if (!target.startsWith(javaHome)) {
            paths.add(Files.isDirectory(target) ? target : target.getParent());
          }
        }
      }
      paths.addAll(sharedLibraryDirectories(javaHome));
      for (String entry : classPath()) {
        paths.add(Path.of(entry));
      }
      // Keep the outermost paths only.
      List<String> result = new ArrayList<>();
      Path last = null;
      for (Path p : paths) {
        if (last != null && p.startsWith(last)) {
          continue;
        }
        result.add(p.toString());
        last = p;
      }
      jvmMounts = List.copyOf(result);
    }
    return jvmMounts;
  }

  /**
   * The directories, as the dynamic loader names them, of the libraries the JDK's launcher and
   * native libraries load, and of the ELF interpreter (from {@code ldd}).
   */
  private static Set<Path> sharedLibraryDirectories(Path javaHome) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ldd", javaHome.resolve("bin/java").toString()));
    try (Stream<Path> libs = Files.walk(javaHome.resolve("lib"))) {
      libs.filter(p -> p.toString().endsWith(".so")).map(Path::toString).forEach(cmd::add);
    }
    String out = run(cmd, Duration.ofSeconds(30), true);
    Set<Path> dirs = new LinkedHashSet<>();
    Pattern lib = Pattern.compile("(?:=>\\s+)?(/\\S+)\\s+\\(0x");
    for (String line : out.split("\n")) {
      Matcher m = lib.matcher(line.trim());
      if (m.find()) {
        Path p = Path.of(m.group(1));
        if (!p.startsWith(javaHome) && Files.exists(p)) {
          dirs.add(p.getParent());
        }
      }
    }
    if (dirs.isEmpty()) {
      throw new IOException("ldd listed no libraries:\n" + out);
    }
    return dirs;
  }

  /** The test class path, entry by entry (through Surefire's manifest-only jar if there is one). */
  static synchronized List<String> classPath() throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> entries = new ArrayList<>();
    for (String e : cp.split(":")) {
      if (e.isEmpty()) {
        continue;
      }
      Path p = Path.of(e).toAbsolutePath();
      if (p.getFileName().toString().startsWith("surefirebooter")) {
        try (JarFile jar = new JarFile(p.toFile())) {
          String manifestCp = jar.getManifest().getMainAttributes().getValue("Class-Path");
          for (String u : manifestCp.split(" ")) {
            if (!u.isBlank()) {
              entries.add(Path.of(java.net.URI.create(u)).toString());
            }
          }
        }
      } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        entries.add(p.toString());
      }
    }
    return entries;
  }

  // ---------------------------------------------------------------------------------------------
  // The Go peer

  private static Path goModule() {
    String m = System.getProperty("fifochan.it.goModule");
    if (m == null && System.getenv("FIFOCHAN_REPO_ROOT") != null) {
      m = System.getenv("FIFOCHAN_REPO_ROOT") + "/go";
    }
    return m == null ? null : Path.of(m);
  }

  private static synchronized Path goBinary() throws IOException {
    if (goBinary == null) {
      String buildDir = System.getProperty("fifochan.it.buildDir", "target");
      Path out = Path.of(buildDir, "container", "fifochan-peer").toAbsolutePath();
      Files.createDirectories(out.getParent());
      ProcessBuilder pb = new ProcessBuilder("go", "build", "-trimpath", "-o", out.toString(), "./cmd/fifochan-peer")
          .directory(goModule().toFile());
      pb.environment().put("CGO_ENABLED", "0"); // static: the image holds nothing but the binary
      run(pb, Duration.ofMinutes(5), false);
      goBinary = out;
    }
    return goBinary;
  }

  private static String run(List<String> cmd, Duration timeout, boolean allowFailure) throws IOException {
    return run(new ProcessBuilder(cmd), timeout, allowFailure);
  }

  private static String run(ProcessBuilder pb, Duration timeout, boolean allowFailure) throws IOException {
    Process p = pb.redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      // Read in a background thread so that the timeout holds even if the output never ends.
      var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          return "(output unreadable: " + e + ")";
        }
      });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(pb.command() + " did not finish within " + timeout);
      }
      out = reader.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + pb.command(), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException(pb.command() + ": " + e, e);
    }
    if (p.exitValue() != 0 && !allowFailure) {
      throw new IOException(pb.command() + " failed with exit code " + p.exitValue() + ":\n" + out);
    }
    return out;
  }
}
