package dev.fifochan.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.testcontainers.FifoVolume;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;

/**
 * A sidecar container is SIGKILLed in the middle of a stream and started again: the host side gets a
 * clear error (never a hang, never a lost message), and the stream resumes with the restarted
 * sidecar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SidecarFailureTest {
  private static final String CODEC = "json";
  private static final Duration POLL = Duration.ofSeconds(20);

  @BeforeAll
  static void images() throws Exception {
    ContainerSupport.requireDocker();
    ContainerSupport.buildJvmImage();
  }

  @AfterAll
  static void removeImages() {
    ContainerSupport.removeImages(ContainerSupport.JVM_IMAGE, ContainerSupport.GO_IMAGE);
  }

  /**
   * The sidecar writes (flushing each message, printing FLUSHED n); the host reads in follow mode.
   * After the kill the host gets every message the sidecar had written, then
   * {@link TruncatedStreamException}; after the restart it reads the new writer's stream from its
   * first message.
   */
  @Test
  void writerKilledMidStreamThenRestartedAndFollowed() throws Exception {
    Codec<Object> codec = PeerMessages.codec(CODEC);
    try (FifoVolume fifos = FifoVolume.of("events");
         GenericContainer<?> writer = ContainerSupport.javaPeer("writer", fifos,
             "send", CODEC, fifos.containerPath("events"), "-1", "2")) {
      FifoOptions opts = fifos.hostOptions(FifoOptions.builder().follow(true).openTimeout(Duration.ofSeconds(20)).build());
      try (Receiver<Object> in = Fifo.openReceiver(fifos.hostPath("events"), codec, ChannelConfig.defaults(), opts)) {
        writer.start();
        long n = 0;
        for (; n < 50; n++) {
          PeerMessages.check(CODEC, nonNull(in.receive(POLL), n), n);
        }

        ContainerSupport.kill(writer);
        long flushed = lastNumber(writer.getLogs(), "FLUSHED");
        TruncatedStreamException truncated = null;
        while (truncated == null) {
          try {
            Object m = in.receive(POLL);
            PeerMessages.check(CODEC, nonNull(m, n), n);
            n++;
          } catch (TruncatedStreamException e) {
            truncated = e;
          }
        }
        assertTrue(n >= flushed, "received " + n + " messages but the writer had flushed " + flushed + " before the kill");
        assertTrue(n <= flushed + 1, "received " + n + " messages, more than the " + flushed + " (+1 in flight) the writer wrote");

        // Same container, same FIFO: a new writer session, followed by the same receiver.
        ContainerSupport.restart(writer);
        for (long k = 0; k < 30; k++) {
          PeerMessages.check(CODEC, nonNull(in.receive(POLL), k), k);
        }
        ContainerSupport.kill(writer);
      }
    }
  }

  /**
   * The sidecar reads; the host writes. Killing the sidecar makes the host's next flush fail with
   * {@link PeerClosedException} (not hang); the host then reopens for the restarted sidecar, which
   * receives a complete new stream.
   */
  @Test
  void readerKilledSoTheWriterGetsPeerClosedThenReopensForTheRestartedReader() throws Exception {
    Codec<Object> codec = PeerMessages.codec(CODEC);
    try (FifoVolume fifos = FifoVolume.of("events");
         GenericContainer<?> reader = ContainerSupport.javaPeer("reader", fifos,
             "recv", CODEC, fifos.containerPath("events"), "-1")) {
      ChannelConfig cfg = ChannelConfig.defaults();
      FifoOptions opts = fifos.hostOptions(FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build());
      reader.start();
      Sender<Object> out = Fifo.openSender(fifos.hostPath("events"), codec, cfg, opts);
      try {
        for (long i = 0; i < 50; i++) {
          out.send(PeerMessages.make(CODEC, i));
          out.flush();
        }
        ContainerSupport.kill(reader);
        long deadline = System.nanoTime() + POLL.toNanos();
        PeerClosedException closed = assertThrows(PeerClosedException.class, () -> {
          for (long i = 50; System.nanoTime() < deadline; i++) {
            out.send(PeerMessages.make(CODEC, i), POLL);
            out.flush();
            Thread.sleep(1);
          }
        }, "no PeerClosedException within " + POLL + " of killing the reader");
        assertTrue(closed.messagesWritten() >= 50, "messagesWritten " + closed.messagesWritten());
      } finally {
        closeQuietly(out);
      }

      ContainerSupport.restart(reader);
      ContainerSupport.awaitLog(reader, "^READY", 2);
      try (Sender<Object> again = Fifo.openSender(fifos.hostPath("events"), codec, cfg, opts)) {
        for (long i = 0; i < 100; i++) {
          again.send(PeerMessages.make(CODEC, i));
        }
      }
      assertEquals(0, ContainerSupport.awaitExit(reader), reader.getLogs());
      assertTrue(reader.getLogs().contains("OK 100"), reader.getLogs());
    }
  }

  /**
   * The Go sidecar writes 40 protobuf messages, then half of the next frame, then SIGKILLs itself
   * ({@code fifochan-peer send -kill-after 40}). The host, following, gets exactly those 40 and then
   * {@link TruncatedStreamException}, for the first run and again for the restarted container.
   */
  @Test
  void goWriterDiesInsideAFrameAndIsFollowedAcrossRestarts() throws Exception {
    ContainerSupport.requireGo();
    ContainerSupport.buildGoImage();
    String codecName = "protobuf";
    Codec<Object> codec = PeerMessages.codec(codecName);
    int killAfter = 40;
    try (FifoVolume fifos = FifoVolume.of("events");
         GenericContainer<?> writer = ContainerSupport.goPeer("go-writer", fifos, "send", "-path", fifos.containerPath("events"),
             "-codec", codecName, "-count", "1000", "-kill-after", Integer.toString(killAfter))) {
      FifoOptions opts = fifos.hostOptions(FifoOptions.builder().follow(true).openTimeout(Duration.ofSeconds(20)).build());
      try (Receiver<Object> in = Fifo.openReceiver(fifos.hostPath("events"), codec, ChannelConfig.defaults(), opts)) {
        writer.start();
        for (int run = 1; run <= 2; run++) {
          for (long k = 0; k < killAfter; k++) {
            PeerMessages.check(codecName, nonNull(in.receive(POLL), k), k);
          }
          TruncatedStreamException e = assertThrows(TruncatedStreamException.class, () -> in.receive(POLL),
              "run " + run + ": the half-written frame must be reported as a truncated stream");
          assertEquals(TruncatedStreamException.Reason.IN_RECORD, e.reason(), e.getMessage());
          assertTrue(e.position() > 0, "position " + e.position());
          assertEquals(137, ContainerSupport.awaitExit(writer), "killed by SIGKILL:\n" + writer.getLogs());
          if (run == 1) {
            ContainerSupport.restart(writer);
          }
        }
      }
    }
  }

  private static Object nonNull(Object m, long seq) {
    assertNotNull(m, "a clean end instead of message " + seq);
    return m;
  }

  private static long lastNumber(String logs, String word) {
    Matcher m = Pattern.compile("^" + word + " (\\d+)$", Pattern.MULTILINE).matcher(logs);
    long last = -1;
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    assertTrue(last >= 0, "no " + word + " line in:\n" + logs);
    return last;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // expected after PeerClosedException: the reader is gone
    }
  }
}
