package dev.fifochan.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.testcontainers.FifoVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;

/**
 * The JVM on the host and a Java peer in a container, on the two ends of a pair of FIFOs in a
 * bind-mounted directory: typed messages in both directions (host to container and back).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostToContainerTest {
  private static final int COUNT = 300;

  @BeforeAll
  static void images() throws Exception {
    ContainerSupport.requireDocker();
    ContainerSupport.buildJvmImage();
  }

  @AfterAll
  static void removeImages() {
    ContainerSupport.removeImages(ContainerSupport.JVM_IMAGE, ContainerSupport.GO_IMAGE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "protobuf"})
  void typedMessagesBothWaysThroughAnEchoPeerInAContainer(String codecName) throws Exception {
    try (FifoVolume fifos = FifoVolume.of("in", "out");
         GenericContainer<?> peer = ContainerSupport.javaPeer("echo-" + codecName, fifos,
             "echo", codecName, fifos.containerPath("in"), fifos.containerPath("out"))) {
      peer.start();
      assertEquals(COUNT, echoThrough(fifos, codecName, fifos.hostOptions(options())));
      assertEquals(0, ContainerSupport.awaitExit(peer), peer.getLogs());
      assertTrue(peer.getLogs().contains("ECHOED " + COUNT), peer.getLogs());
    }
  }

  /**
   * The peer runs as uid 1000 (not the test's uid): the volume gives it the directory and the FIFOs
   * (mode 0600), so it opens them with the default checks, and the host opens them as a foreign
   * owner's.
   */
  @Test
  void peerRunsAsAnotherUidThatOwnsTheFifos() throws Exception {
    try (FifoVolume fifos = FifoVolume.builder().fifos("in", "out").owner(1000, 1000).build();
         GenericContainer<?> peer = ContainerSupport.javaPeer("echo-uid1000", fifos,
                 "echo", "json", fifos.containerPath("in"), fifos.containerPath("out"))
             .withCreateContainerCmdModifier(cmd -> cmd.withUser("1000:1000"))) {
      peer.start();
      assertTrue(peer.getLogs().contains("READY uid=1000"), peer.getLogs());
      FifoOptions host = fifos.hostOptions(options());
      assertEquals(fifos.ownerApplied(), host.allowForeignOwner() || fifos.fifoOwnerUid() != 1000);
      assertEquals(COUNT, echoThrough(fifos, "json", host));
      assertEquals(0, ContainerSupport.awaitExit(peer), peer.getLogs());
    }
  }

  /**
   * The example of docs/sidecar.md and of FifoVolume's Javadoc, with the Go peer as the sidecar
   * running as uid 1000.
   */
  @Test
  @SuppressWarnings("try") // requests.close() inside its try: the clean end is part of the check
  void goSidecarAsUid1000AsInTheDocumentation() throws Exception {
    ContainerSupport.requireGo();
    ContainerSupport.buildGoImage();
    try (FifoVolume fifos = FifoVolume.builder().fifos("requests", "replies").owner(1000, 1000).build();
         GenericContainer<?> sidecar = fifos.mountInto(new GenericContainer<>(ContainerSupport.GO_IMAGE))
             .withCreateContainerCmdModifier(cmd -> cmd.withUser("1000:1000"))
             .withNetworkMode("none")
             .withCommand("echo", "-in", fifos.containerPath("requests"), "-out", fifos.containerPath("replies"),
                 "-codec", "json")) {
      sidecar.start();
      FifoOptions options = fifos.hostOptions(); // allowForeignOwner: uid 1000 owns them
      ChannelConfig config = ChannelConfig.defaults();
      Codec<PeerMessages.Event> codec = dev.fifochan.json.JsonCodec.of(PeerMessages.Event.class);
      try (Sender<PeerMessages.Event> requests = Fifo.openSender(fifos.hostPath("requests"), codec, config, options)) {
        requests.send(new PeerMessages.Event(1, "ping-1"));
        requests.flush();
        // A read end opens when the writer's first bytes arrive: open it after sending (or in another thread).
        try (Receiver<PeerMessages.Event> replies = Fifo.openReceiver(fifos.hostPath("replies"), codec, config, options)) {
          assertEquals(new PeerMessages.Event(1, "ping-1"), replies.receive(Duration.ofSeconds(10)));
          // Beyond the documented example: a clean end of the requests ends the replies cleanly too.
          requests.close();
          assertNull(replies.receive(Duration.ofSeconds(10)));
          assertTrue(replies.isEnded());
        }
      }
      assertEquals(0, ContainerSupport.awaitExit(sidecar), sidecar.getLogs());
    }
  }

  private static FifoOptions options() {
    return FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build();
  }

  /** Sends COUNT messages into "in" and checks that exactly they come back on "out", then a clean end. */
  private static long echoThrough(FifoVolume fifos, String codecName, FifoOptions opts) throws Exception {
    Codec<Object> codec = PeerMessages.codec(codecName);
    ChannelConfig cfg = ChannelConfig.defaults();
    CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
      try {
        Sender<Object> out = Fifo.openSender(fifos.hostPath("in"), codec, cfg, opts);
        try (out) {
          for (long i = 0; i < COUNT; i++) {
            out.send(PeerMessages.make(codecName, i));
          }
        }
        return out.stats().messagesWritten(); // after close: everything flushed
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    long n = 0;
    try (Receiver<Object> in = Fifo.openReceiver(fifos.hostPath("out"), codec, cfg, opts)) {
      for (Object m; (m = in.receive(Duration.ofSeconds(20))) != null; n++) {
        PeerMessages.check(codecName, m, n);
      }
      assertTrue(in.isEnded(), "clean end of the echoed stream after " + n);
      assertNull(in.receive());
    }
    assertEquals(COUNT, sent.get(15, TimeUnit.SECONDS));
    return n;
  }
}
