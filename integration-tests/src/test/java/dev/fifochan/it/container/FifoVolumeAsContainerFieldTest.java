package dev.fifochan.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.testcontainers.FifoVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link FifoVolume} as a Testcontainers {@code @Container} field, next to the container that mounts
 * it: the extension starts both (the container depends on the volume) and stops both when the class's
 * extension context closes (after every afterAll callback).
 */
@Testcontainers
@ExtendWith(ContainerSupport.DockerRequired.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FifoVolumeAsContainerFieldTest {
  @Container
  static final FifoVolume FIFOS = FifoVolume.of("in", "out");

  @Container
  static final GenericContainer<?> ECHO = echo();

  private static GenericContainer<?> echo() {
    try {
      return ContainerSupport.javaPeer(new GenericContainer<>(ContainerSupport.jvmImage()), "echo-field", FIFOS,
          "echo", "string", FIFOS.containerPath("in"), FIFOS.containerPath("out"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @SuppressWarnings("try") // out.close() inside its try: the clean end is part of the check
  void theExtensionStartedTheVolumeAndTheContainer() throws Exception {
    assertTrue(ECHO.isRunning());
    ChannelConfig cfg = ChannelConfig.defaults();
    FifoOptions opts = FIFOS.hostOptions(FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build());
    try (Sender<String> out = Fifo.openSender(FIFOS.hostPath("in"), Codecs.string(), cfg, opts)) {
      out.send("hello from the host");
      out.flush();
      try (Receiver<String> in = Fifo.openReceiver(FIFOS.hostPath("out"), Codecs.string(), cfg, opts)) {
        assertEquals("hello from the host", in.receive(Duration.ofSeconds(20)));
        out.close();
        assertNull(in.receive(Duration.ofSeconds(20)));
        assertTrue(in.isEnded());
      }
    }
    assertEquals(0, ContainerSupport.awaitExit(ECHO), ECHO.getLogs());
  }

  @AfterAll
  static void removeImage() {
    ECHO.stop(); // before the image goes; the extension's own stop afterwards does nothing
    ContainerSupport.removeImages(ContainerSupport.JVM_IMAGE);
  }
}
