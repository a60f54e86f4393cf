package dev.fifochan.testcontainers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.UnsafeFifoException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FifoVolumeTest {
  private static final int EUID = FifoVolume.effectiveUid();

  @TempDir
  Path tmp;

  private static int mode(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  private static int uid(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static int gid(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
  }

  private static boolean isFifo(Path p) throws Exception {
    return (mode(p) & 0170000) == 0010000;
  }

  @Test
  void createsPrivateDirectoryAndFifosOwnedByTheCurrentUserAndDeletesThemOnStop() throws Exception {
    FifoVolume v = FifoVolume.builder().parent(tmp).fifos("requests", "replies").build();
    Path dir = v.hostDirectory();
    assertEquals(tmp, dir.getParent());
    assertEquals(0700, mode(dir) & 07777);
    assertEquals(EUID, uid(dir));
    for (String name : List.of("requests", "replies")) {
      Path fifo = v.hostPath(name);
      assertTrue(isFifo(fifo), name + " is a FIFO");
      assertEquals(0600, mode(fifo) & 07777, "mode of " + name);
      assertEquals(EUID, uid(fifo));
    }
    assertTrue(v.ownerApplied());
    assertEquals(0600, v.fifoMode());
    assertFalse(v.foreignTo(EUID));
    assertFalse(v.hostOptions().allowForeignOwner());
    assertFalse(v.hostOptions().createIfMissing(), "a FIFO missing from the volume is not created by the host side");

    v.stop();
    assertFalse(Files.exists(dir), "directory deleted");
    v.stop(); // idempotent

    Path again = v.hostDirectory(); // restarts: a fresh directory with the FIFOs
    assertNotEquals(dir, again);
    assertTrue(isFifo(v.hostPath("requests")));
    v.close();
    assertFalse(Files.exists(again));
  }

  @Test
  void exactFifoModeWhateverTheUmaskAndExtraFifos() throws Exception {
    try (FifoVolume v = FifoVolume.builder().parent(tmp).fifoMode(0660).fifos("a").build()) {
      assertEquals(0660, mode(v.hostPath("a")) & 07777);
      Path b = v.createFifo("b");
      assertTrue(isFifo(b));
      assertEquals(0660, mode(b) & 07777);
    }
  }

  @Test
  void directoryModeIsExactAndASharedDirectoryNeedsTheStickyBit() throws Exception {
    FifoOptions cfg = FifoOptions.builder().openTimeout(Duration.ofSeconds(5)).build();
    try (FifoVolume sticky = FifoVolume.builder().parent(tmp).directoryMode(01770).fifos("x").build()) {
      assertEquals(01770, mode(sticky.hostDirectory()) & 07777);
      assertEquals(List.of("sticky"), roundTrip(sticky.hostPath("x"), cfg, List.of("sticky")));
    }
    try (FifoVolume group = FifoVolume.builder().parent(tmp).directoryMode(0750).fifoMode(0660).fifos("x").build()) {
      assertEquals(0750, mode(group.hostDirectory()) & 07777);
      assertEquals(List.of("group"), roundTrip(group.hostPath("x"), cfg, List.of("group")));
    }
    // A shared directory without the sticky bit is what fifochan refuses; so does the builder.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().directoryMode(0770));
    assertTrue(e.getMessage().contains("sticky"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().directoryMode(0500));
    Path unsafe = Files.createDirectory(tmp.resolve("unsafe"));
    Files.setPosixFilePermissions(unsafe, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---"));
    UnsafeFifoException refused = assertThrows(UnsafeFifoException.class, () -> Fifo.create(unsafe.resolve("x")));
    assertEquals(UnsafeFifoException.Reason.UNSAFE_DIRECTORY, refused.reason());
  }

  @Test
  void givesDirectoryAndFifosToTheContainerUidWhenRoot() throws Exception {
    requireRoot("chown needs root");
    try (FifoVolume v = FifoVolume.builder().parent(tmp).owner(1000, 1001).fifos("events").build()) {
      Path dir = v.hostDirectory();
      Path fifo = v.hostPath("events");
      assertEquals(1000, uid(dir));
      assertEquals(1001, gid(dir));
      assertEquals(0700, mode(dir) & 07777);
      assertEquals(1000, uid(fifo));
      assertEquals(1001, gid(fifo));
      assertEquals(0600, mode(fifo) & 07777);
      assertTrue(v.ownerApplied());
      assertEquals(1000, v.fifoOwnerUid());
      assertFalse(v.foreignTo(1000), "the container's uid owns the FIFOs");
      assertTrue(v.foreignTo(0));

      // The host side must opt in to a FIFO owned by the container's uid; hostOptions does that.
      UnsafeFifoException e = assertThrows(UnsafeFifoException.class,
          () -> Fifo.openWriteChannel(fifo, FifoOptions.builder().openTimeout(Duration.ofSeconds(1)).build()));
      assertEquals(UnsafeFifoException.Reason.FOREIGN_OWNER, e.reason());
      FifoOptions host = v.hostOptions(FifoOptions.builder().openTimeout(Duration.ofSeconds(5)).build());
      assertEquals(Duration.ofSeconds(5), host.openTimeout(), "the base options are kept");
      assertTrue(host.allowForeignOwner());
      assertFalse(host.createIfMissing());
      assertEquals(List.of("one", "two"), roundTrip(fifo, host, List.of("one", "two")));
    }
  }

  @Test
  void ownerWithTheTestsOwnUidOnlySetsTheGroup() throws Exception {
    requireRoot("chgrp to an arbitrary group needs root");
    try (FifoVolume v = FifoVolume.builder().parent(tmp).owner(EUID, 1234).fifoMode(0660).directoryMode(0750).fifos("g").build()) {
      assertEquals(EUID, uid(v.hostPath("g")));
      assertEquals(1234, gid(v.hostPath("g")));
      assertEquals(1234, gid(v.hostDirectory()));
      assertTrue(v.ownerApplied());
      assertFalse(v.hostOptions().allowForeignOwner(), "the test's own FIFOs");
    }
  }

  @Test
  void unprivilegedFallbackOpensTheFifosToAllInADirectoryOnlyTheOwnerMayChange() throws Exception {
    // As if the test ran unprivileged as uid 4321 and asked for FIFOs owned by uid 1000.
    try (FifoVolume v = FifoVolume.builder().parent(tmp).owner(1000, 1000).effectiveUid(4321).fifos("x").build()) {
      assertFalse(v.ownerApplied());
      assertEquals(FifoVolume.FALLBACK_FIFO_MODE, v.fifoMode());
      assertEquals(0666, mode(v.hostPath("x")) & 07777);
      assertEquals(0755, mode(v.hostDirectory()) & 07777);
      assertEquals(EUID, uid(v.hostPath("x")), "not chowned");
      assertTrue(v.foreignTo(1000), "the container must allow a foreign owner");
      // fifochan accepts the directory (not writable by group or others) and the FIFO.
      FifoOptions cfg = FifoOptions.builder().openTimeout(Duration.ofSeconds(5)).build();
      assertEquals(List.of("fallback"), roundTrip(v.hostPath("x"), cfg, List.of("fallback")));
    }
  }

  @Test
  void mountsIntoAContainerThatDependsOnTheVolume() throws Exception {
    try (FifoVolume v = FifoVolume.builder().parent(tmp).containerDirectory("/run/fifochan").fifos("in").build();
         GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("fifochan-test/never-started:0"))) {
      assertEquals(c, v.mountInto(c));
      assertEquals(1, c.getBinds().size());
      assertEquals(v.hostDirectory().toString(), c.getBinds().get(0).getPath());
      assertEquals("/run/fifochan", c.getBinds().get(0).getVolume().getPath());
      assertTrue(c.getDependencies().contains(v));
      assertTrue(c.getDependencies().contains(FifoDocker.CHECK), "the Docker check runs before the container starts");
      assertEquals("/run/fifochan/in", v.containerPath("in"));
    }
  }

  @Test
  void refusesNamesThatAreNotPlainFileNames() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().fifos("../escape"));
    assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().fifos(""));
    assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().fifoMode(04600));
    assertThrows(IllegalArgumentException.class, () -> FifoVolume.builder().containerDirectory("relative"));
    try (FifoVolume v = FifoVolume.builder().parent(tmp).build()) {
      assertThrows(IllegalArgumentException.class, () -> v.hostPath("a/b"));
      assertThrows(IllegalArgumentException.class, () -> v.containerPath(".."));
    }
  }

  private static List<String> roundTrip(Path fifo, FifoOptions options, List<String> messages) throws Exception {
    ChannelConfig cfg = ChannelConfig.defaults();
    CompletableFuture<List<String>> received = CompletableFuture.supplyAsync(() -> {
      try (Receiver<String> r = Fifo.openReceiver(fifo, Codecs.string(), cfg, options)) {
        return r.stream().toList();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (Sender<String> s = Fifo.openSender(fifo, Codecs.string(), cfg, options)) {
      for (String m : messages) {
        s.send(m);
      }
    }
    return received.get(10, TimeUnit.SECONDS);
  }

  /** Skips a root-only test on a developer machine; under CI=true a missing privilege is a failure. */
  private static void requireRoot(String why) {
    if (EUID != 0 && "true".equals(System.getenv("CI"))) {
      fail("CI=true but the tests do not run as root: " + why);
    }
    assumeTrue(EUID == 0, why + " (run the tests as root to include this test)");
  }
}
