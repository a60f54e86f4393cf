package dev.fifochan.testcontainers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clear failures of {@link FifoDocker}: each provoked for real where this machine can (a
 * {@code DOCKER_HOST} with no daemon behind it; a daemon without a {@code bridge} network and a test
 * JVM without Testcontainers' variables), and the verdict on daemons that cannot be had here (Docker
 * Desktop, another kernel, a remote daemon, a JVM on macOS) from the facts such daemons report.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FifoDockerTest {
  private static final List<String> TC_VARIABLES =
      List.of("TESTCONTAINERS_HOST_OVERRIDE", "TESTCONTAINERS_RYUK_DISABLED", "TESTCONTAINERS_CHECKS_DISABLE");
  /** Testcontainers alone took 25 s here to give up on a dead DOCKER_HOST and fall back to another daemon. */
  private static final Duration PROMPT = Duration.ofSeconds(15);

  @TempDir
  Path tmp;

  @Test
  void aDockerHostWithoutADaemonFailsAtOnceNamingIt() throws Exception {
    // A socket file nobody listens on (a daemon that died), and a path with no socket at all.
    Path stale = tmp.resolve("stale.sock");
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(stale));
    }
    assertTrue(Files.exists(stale));
    for (Path socket : List.of(stale, tmp.resolve("missing.sock"))) {
      String dockerHost = "unix://" + socket;
      DockerRequired.Child child = DockerRequired.java(DockerCheckProbe.class, env -> env.put("DOCKER_HOST", dockerHost),
          Duration.ofSeconds(60), "start");
      String thrown = rootCause(child.output());
      assertTrue(thrown.startsWith("THROWN " + DockerNotUsableException.class.getName() + " NO_DAEMON "), child.output());
      assertTrue(thrown.contains("DOCKER_HOST") && thrown.contains(socket.toString()), thrown);
      assertTrue(thrown.contains(socket.equals(stale) ? "Connection refused" : "there is no socket"), thrown);
      assertTrue(child.took().compareTo(PROMPT) < 0, "took " + child.took());
    }
  }

  /**
   * The machine facts' case: a daemon started with {@code --bridge=none} and a test JVM without
   * Testcontainers' variables. Testcontainers alone fails with a bare {@code 404 network bridge not
   * found}; a container that mounts a volume fails with the check's message naming the variables.
   */
  @Test
  void aDaemonWithoutABridgeNetworkNamesTheVariablesTestcontainersNeeds() throws Exception {
    FifoDocker.Daemon daemon = DockerRequired.docker();
    if (daemon.hasBridgeNetwork()) {
      // Nothing to provoke: the check must then not ask for the variables.
      DockerRequired.Child child = DockerRequired.java(DockerCheckProbe.class, env -> TC_VARIABLES.forEach(env::remove),
          Duration.ofSeconds(60), "check");
      assertTrue(child.output().contains("OK Daemon["), child.output());
      return;
    }
    // Only TESTCONTAINERS_HOST_OVERRIDE missing: the bare 404 without the check, the variable named with it.
    DockerRequired.Child child = DockerRequired.java(DockerCheckProbe.class,
        env -> env.remove("TESTCONTAINERS_HOST_OVERRIDE"), Duration.ofSeconds(90), "start", "bare");
    String[] runs = child.output().split("MODE bare");
    String thrown = rootCause(runs[0]);
    assertTrue(thrown.startsWith("THROWN " + DockerNotUsableException.class.getName() + " NEEDS_CONFIGURATION "), child.output());
    assertTrue(thrown.contains("Set TESTCONTAINERS_HOST_OVERRIDE=localhost in the environment"), thrown);
    assertTrue(!thrown.contains("TESTCONTAINERS_RYUK_DISABLED=true") && !thrown.contains("TESTCONTAINERS_CHECKS_DISABLE=true"),
        "only the missing variable is named: " + thrown);
    assertTrue(rootCause(runs[1]).contains("network bridge not found"),
        "without the check, Testcontainers fails with the bare 404: " + runs[1]);

    // None of the three set: all three named (and nothing pulled: the check comes first).
    child = DockerRequired.java(DockerCheckProbe.class, env -> TC_VARIABLES.forEach(env::remove), Duration.ofSeconds(60),
        "start");
    thrown = rootCause(child.output());
    assertTrue(thrown.startsWith("THROWN " + DockerNotUsableException.class.getName() + " NEEDS_CONFIGURATION "), child.output());
    assertTrue(thrown.contains("Set TESTCONTAINERS_HOST_OVERRIDE=localhost, TESTCONTAINERS_RYUK_DISABLED=true,"
        + " TESTCONTAINERS_CHECKS_DISABLE=true in the environment"), thrown);
    assertTrue(child.took().compareTo(Duration.ofSeconds(45)) < 0, "no image pull was attempted: took " + child.took());
  }

  @Test
  void thisDaemonSharesTheKernelAndPassesInThisConfiguration() {
    FifoDocker.Daemon daemon = DockerRequired.docker();
    assertEquals(FifoDocker.hostKernel(), daemon.kernelVersion());
    assertEquals("linux", daemon.osType());
    assertTrue(FifoDocker.isLocal(daemon.endpoint()), daemon.endpoint());
    assertNull(FifoDocker.assess(daemon, FifoDocker.hostKernel(), System.getenv(), false, true));
  }

  /**
   * Daemons that cannot be had on this machine, from the facts they report ({@code docker info}:
   * OSType, OperatingSystem, KernelVersion; the endpoint).
   */
  @Test
  void daemonsOnAnotherKernelOrMachineCannotCarryFifos() {
    String host = "6.1.0-27-amd64";
    Map<String, String> configured = Map.of("TESTCONTAINERS_HOST_OVERRIDE", "localhost",
        "TESTCONTAINERS_RYUK_DISABLED", "true", "TESTCONTAINERS_CHECKS_DISABLE", "true");
    Set<String> networks = Set.of("bridge", "host", "none");
    // Docker Desktop on macOS, Windows (WSL 2 back end) and Linux: a VM with a kernel of its own.
    for (FifoDocker.Daemon d : List.of(
        new FifoDocker.Daemon("unix:///Users/me/.docker/run/docker.sock", "linux", "Docker Desktop", "6.10.14-linuxkit", networks),
        new FifoDocker.Daemon("npipe:////./pipe/docker_engine", "linux", "Docker Desktop", "5.15.167.4-microsoft-standard-WSL2", networks),
        new FifoDocker.Daemon("unix:///home/me/.docker/desktop/docker.sock", "linux", "Docker Desktop", "6.10.14-linuxkit", networks))) {
      DockerNotUsableException e = FifoDocker.assess(d, host, configured, false, true);
      assertNotNull(e, d.toString());
      assertEquals(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, e.reason());
      assertTrue(e.getMessage().contains("Docker Desktop") && e.getMessage().contains("FIFOs cannot cross"), e.getMessage());
    }
    // A Linux VM or machine running another kernel (e.g. a daemon in a VM behind a forwarded socket).
    DockerNotUsableException vm = FifoDocker.assess(
        new FifoDocker.Daemon("unix:///var/run/docker.sock", "linux", "Ubuntu 22.04.4 LTS", "5.15.0-91-generic", networks),
        host, configured, false, true);
    assertEquals(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, vm.reason());
    assertTrue(vm.found().contains("5.15.0-91-generic") && vm.found().contains(host), vm.found());
    // A remote daemon (same kernel release, another machine: 192.0.2.0/24 is documentation space).
    DockerNotUsableException remote = FifoDocker.assess(
        new FifoDocker.Daemon("tcp://192.0.2.10:2375", "linux", "Debian GNU/Linux 12 (bookworm)", host, networks),
        host, configured, false, true);
    assertEquals(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, remote.reason());
    assertTrue(remote.found().contains("tcp://192.0.2.10:2375"), remote.found());
    // A Windows daemon.
    assertEquals(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, FifoDocker.assess(
        new FifoDocker.Daemon("npipe:////./pipe/docker_engine", "windows", "Windows Server 2022", "10.0 20348", networks),
        host, configured, false, true).reason());
    // The same facts on one kernel pass; the escape hatch skips the kernel checks.
    FifoDocker.Daemon local = new FifoDocker.Daemon("unix:///var/run/docker.sock", "linux", "Debian GNU/Linux 12 (bookworm)", host,
        networks);
    assertNull(FifoDocker.assess(local, host, configured, false, true));
    assertNull(FifoDocker.assess(new FifoDocker.Daemon("tcp://127.0.0.1:2375", "linux", "Debian", host, networks),
        host, configured, false, true));
    assertNull(FifoDocker.assess(new FifoDocker.Daemon("unix:///var/run/docker.sock", "linux", "Ubuntu 22.04.4 LTS",
        "5.15.0-91-generic", networks), host, configured, false, false));
  }

  @Test
  void aJvmOnMacOsOrWindowsIsToldAtOnce() {
    for (String os : List.of("Mac OS X", "Windows 11")) {
      DockerNotUsableException e = assertThrows(DockerNotUsableException.class,
          () -> FifoDocker.check(Map.of(), os, null));
      assertEquals(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, e.reason());
      assertTrue(e.getMessage().contains(os) && e.getMessage().contains("Docker Desktop"), e.getMessage());
    }
  }

  @Test
  void aDaemonWithoutABridgeNetworkNeedsOnlyTheMissingVariables() {
    FifoDocker.Daemon noBridge = new FifoDocker.Daemon("unix:///var/run/docker.sock", "linux", "Debian", "k", Set.of("host", "none"));
    DockerNotUsableException e = FifoDocker.assess(noBridge, "k", Map.of("TESTCONTAINERS_RYUK_DISABLED", "true"), true, true);
    assertEquals(DockerNotUsableException.Reason.NEEDS_CONFIGURATION, e.reason());
    assertEquals(List.of("TESTCONTAINERS_HOST_OVERRIDE=localhost"), e.missingVariables(),
        "Ryuk is off and the checks are off through Testcontainers' properties");
    assertNull(FifoDocker.assess(new FifoDocker.Daemon("unix:///var/run/docker.sock", "linux", "Debian", "k",
        Set.of("bridge", "host", "none")), "k", Map.of(), false, true), "a daemon with a bridge network needs none of them");
  }

  /** The last THROWN line before the end of {@code output}: the root cause of the failure. */
  private static String rootCause(String output) {
    String last = "(nothing thrown)";
    for (String line : output.split("\n")) {
      if (line.startsWith("THROWN ")) {
        last = line;
      }
    }
    return last;
  }
}
