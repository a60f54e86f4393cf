package dev.fifochan.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.testcontainers.FifoVolume;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.containers.GenericContainer;

/**
 * Two containers sharing one FIFO directory (a host directory bind-mounted into both): a Java
 * "service" sends requests over one FIFO and reads the replies from another; the "sidecar" (the Go
 * {@code fifochan-peer echo}, or the Java peer's echo) answers each request with the same message.
 * Either container may start first: the other one's writer retries opening until the reader appears.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContainerToContainerTest {
  private static final int COUNT = 500;
  /** How long the first container runs alone, waiting for its peer, before the second starts. */
  private static final long HEAD_START_MS = 500;

  private static boolean goImageBuilt;

  @BeforeAll
  static void images() throws Exception {
    ContainerSupport.requireDocker();
    ContainerSupport.buildJvmImage();
  }

  @AfterAll
  static void removeImages() {
    ContainerSupport.removeImages(ContainerSupport.JVM_IMAGE, ContainerSupport.GO_IMAGE);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("go", "protobuf", "service"),
        Arguments.of("go", "protobuf", "sidecar"),
        Arguments.of("go", "json", "sidecar"),
        Arguments.of("java", "json", "service"),
        Arguments.of("java", "protobuf", "sidecar"));
  }

  @ParameterizedTest(name = "{0} sidecar, {1}, {2} starts first")
  @MethodSource("cases")
  void serviceAndSidecarInTwoContainersOverAPairOfFifos(String sidecarKind, String codec, String first) throws Exception {
    if (sidecarKind.equals("go")) {
      goImage();
    }
    try (FifoVolume fifos = FifoVolume.of("requests", "replies");
         GenericContainer<?> service = ContainerSupport.javaPeer("service", fifos,
             "service", codec, fifos.containerPath("requests"), fifos.containerPath("replies"), Integer.toString(COUNT));
         GenericContainer<?> sidecar = sidecarKind.equals("go")
             ? ContainerSupport.goPeer("go-sidecar", fifos,
                 "echo", "-in", fifos.containerPath("requests"), "-out", fifos.containerPath("replies"), "-codec", codec)
             : ContainerSupport.javaPeer("java-sidecar", fifos,
                 "echo", codec, fifos.containerPath("requests"), fifos.containerPath("replies"))) {
      GenericContainer<?> a = first.equals("service") ? service : sidecar;
      GenericContainer<?> b = a == service ? sidecar : service;
      a.start();
      Thread.sleep(HEAD_START_MS);
      assertTrue(a.isRunning(), "the first container waits for its peer instead of giving up:\n" + a.getLogs());
      b.start();

      assertEquals(0, ContainerSupport.awaitExit(service), service.getLogs());
      assertTrue(service.getLogs().contains("OK " + COUNT), service.getLogs());
      assertEquals(0, ContainerSupport.awaitExit(sidecar), "the sidecar ends cleanly at the end of the requests:\n"
          + sidecar.getLogs());
    }
  }

  /**
   * Peers of different uids sharing a group: the FIFOs (mode 0660) and their directory (0750) belong
   * to the service's uid 1000, group 1000; the sidecar runs as uid 1001 in group 1000. The kernel lets
   * it open them, but fifochan refuses a FIFO of another uid until the sidecar opts in with
   * {@code allowForeignOwner}.
   */
  @org.junit.jupiter.api.Test
  void peersOfDifferentUidsShareTheFifosThroughAGroup() throws Exception {
    ContainerSupport.requireRoot("the FIFOs are given to uid 1000 with chown");
    try (FifoVolume fifos = FifoVolume.builder().fifos("requests", "replies")
        .owner(1000, 1000).fifoMode(0660).directoryMode(0750).build()) {
      String[] echo = {"echo", "json", fifos.containerPath("requests"), fifos.containerPath("replies")};
      try (GenericContainer<?> refusing = ContainerSupport.javaPeer("sidecar-1001-strict", fifos, echo)
          .withCreateContainerCmdModifier(cmd -> cmd.withUser("1001:1000"))) {
        refusing.start();
        assertEquals(1, ContainerSupport.awaitExit(refusing), refusing.getLogs());
        assertTrue(refusing.getLogs().contains("is owned by another user"), refusing.getLogs());
      }
      try (GenericContainer<?> sidecar = ContainerSupport.javaPeer("sidecar-1001", fifos, echo)
               .withCreateContainerCmdModifier(cmd -> cmd.withUser("1001:1000"))
               .withEnv("FIFOCHAN_ALLOW_FOREIGN_OWNER", "true");
           GenericContainer<?> service = ContainerSupport.javaPeer("service-1000", fifos, "service", "json",
                   fifos.containerPath("requests"), fifos.containerPath("replies"), Integer.toString(COUNT))
               .withCreateContainerCmdModifier(cmd -> cmd.withUser("1000:1000"))) {
        sidecar.start();
        service.start();
        assertEquals(0, ContainerSupport.awaitExit(service), service.getLogs());
        assertTrue(service.getLogs().contains("READY uid=1000") && service.getLogs().contains("OK " + COUNT), service.getLogs());
        assertEquals(0, ContainerSupport.awaitExit(sidecar), sidecar.getLogs());
        assertTrue(sidecar.getLogs().contains("READY uid=1001"), sidecar.getLogs());
      }
    }
  }

  /**
   * A Docker named volume instead of a host directory: nothing on the host, and the FIFOs are created
   * inside the volume by the Java service as it opens them ({@code createIfMissing}); the Go sidecar
   * waits for them to appear. A new named volume's directory belongs to root with mode 0755 (the
   * image has no directory at the mount point), which fifochan accepts.
   */
  @org.junit.jupiter.api.Test
  void namedVolumeSharedByTheTwoContainers() throws Exception {
    goImage();
    String volume = "fifochan-it-fifos-" + ProcessHandle.current().pid();
    try {
      try (GenericContainer<?> sidecar = ContainerSupport.withNamedVolume(ContainerSupport.goPeer("go-sidecar", null,
               "echo", "-in", "/fifo/requests", "-out", "/fifo/replies", "-codec", "protobuf"), volume, "/fifo");
           GenericContainer<?> service = ContainerSupport.withNamedVolume(ContainerSupport.javaPeer("service", null,
               "service", "protobuf", "/fifo/requests", "/fifo/replies", Integer.toString(COUNT)), volume, "/fifo")) {
        sidecar.start();
        service.start();
        assertEquals(0, ContainerSupport.awaitExit(service), service.getLogs());
        assertTrue(service.getLogs().contains("OK " + COUNT), service.getLogs());
        assertEquals(0, ContainerSupport.awaitExit(sidecar), sidecar.getLogs());
      }
    } finally {
      ContainerSupport.removeVolume(volume);
    }
  }

  private static synchronized void goImage() throws Exception {
    ContainerSupport.requireGo();
    if (!goImageBuilt) {
      ContainerSupport.buildGoImage();
      goImageBuilt = true;
    }
  }
}
