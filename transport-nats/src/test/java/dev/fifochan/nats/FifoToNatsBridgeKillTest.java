package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Sender;
import dev.fifochan.SenderStats;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import io.nats.client.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FIFO → NATS bridge's loss window, measured (docs/nats.md §6): a Java writer sends numbered messages
 * into a FIFO at a steady pace; the bridge (a child JVM, JetStream) is SIGKILLed while they flow; the writer
 * goes on until it learns of it. Then the stream is read back and compared with what the writer had
 * written into the pipe. Checked: what NATS stored is exactly the first messages, in order, without a gap
 * (the loss is one window at the end), and the writer learns through {@link PeerClosedException} on its next
 * write, whose counts say how many messages it had written and how many it had accepted but not written.
 * Printed: the window (written into the pipe, not stored). Two loads: a writer at a steady 5,000 messages/s
 * that the bridge keeps up with, and a writer at full speed that outruns it (the pipe fills). Runs
 * {@code -Dfifochan.nats.lossRuns} times each (default 1).
 */
@Timeout(300)
class FifoToNatsBridgeKillTest {
  private static final int KILL_AT = 20_000;

  @ParameterizedTest(name = "rate {0}/s (0: full speed), payload {1} bytes")
  @CsvSource({"5000, 100", "0, 100"})
  void lossWindowMeasured(int rate, int size) throws Exception {
    int runs = Integer.getInteger("fifochan.nats.lossRuns", 1);
    try (NatsServerProcess server = NatsServerProcess.start(); Connection nc = NatsConnectOptions.server(server.url()).connect()) {
      for (int run = 1; run <= runs; run++) {
        once(server, nc, run, rate, size);
      }
    }
  }

  private static String message(int i, int size) {
    StringBuilder b = new StringBuilder(size).append(i).append(' ');
    while (b.length() < size) {
      b.append('x');
    }
    return b.toString();
  }

  private void once(NatsServerProcess server, Connection nc, int run, int rate, int size) throws Exception {
    Path dir = Files.createTempDirectory("fifo-nats-loss");
    Path fifo = Fifo.create(dir.resolve("events"));
    String subject = "loss.run" + run + "." + System.nanoTime();
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).replay(NatsOptions.Replay.ALL).build();
    Nats.openSink(nc, subject, ChannelConfig.defaults(), js).close(); // the stream exists before the bridge publishes
    Path log = dir.resolve("bridge.log");
    Process bridge = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), NatsBridge.class.getName(), "fifo-to-nats", "--fifo", fifo.toString(),
        "--subject", subject, "--server", server.url(), "--jetstream", "--report", "50")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long killedAt = 0;
      long learnedAt = 0;
      long forwardedBeforeKill = -1;
      PeerClosedException learned = null;
      SenderStats atKill = null;
      int sent = 0;
      Sender<String> tx = Fifo.openSender(fifo, Codecs.string());
      try {
        long began = System.nanoTime();
        for (int i = 0; learned == null && i < 3 * KILL_AT; i++) {
          try {
            tx.send(message(i, size));
            sent = i + 1;
            if (rate > 0 && i % 100 == 99) {
              tx.flush();
              long due = began + TimeUnit.SECONDS.toNanos(i + 1) / rate;
              long now = System.nanoTime();
              if (due > now) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(due - now));
              }
            }
          } catch (PeerClosedException e) {
            learned = e;
            learnedAt = System.nanoTime();
          }
          if (i == KILL_AT) {
            forwardedBeforeKill = reported(log, "frames");
            atKill = tx.stats();
            bridge.destroyForcibly(); // SIGKILL while messages flow
            assertTrue(bridge.waitFor(10, TimeUnit.SECONDS));
            killedAt = System.nanoTime();
          }
        }
      } finally {
        tx.close(); // fails again or does nothing: the channel has failed
      }
      assertNotNull(learned, "the writer did not learn that the bridge was gone (sent " + sent + ")");
      assertTrue(learned.countsKnown(), learned.toString());

      // what the stream holds: read it all back
      BitSet stored = new BitSet();
      int frames = 0;
      FrameSource source = Nats.openSource(nc, subject, ChannelConfig.defaults(), js.toBuilder().follow(true).build(), null, "string");
      try {
        InboundRecord r;
        while ((r = source.next(Deadline.after(Duration.ofSeconds(3)))) != null) {
          if (r.kind() == InboundRecord.Kind.FRAME) {
            String text = StandardCharsets.UTF_8.decode(r.payload()).toString();
            int v = Integer.parseInt(text.substring(0, text.indexOf(' ')));
            assertEquals(frames, v, "stored in order, without a gap");
            stored.set(v);
            frames++;
            source.delivered(r);
            source.released(r, null);
          }
        }
      } finally {
        source.close();
      }
      long written = learned.messagesWritten();
      long window = written - frames;
      assertEquals(frames, stored.cardinality());
      assertTrue(frames <= written, "stored " + frames + " of " + written + " written");
      System.out.printf("FIFO->NATS bridge SIGKILLed (%s, run %d) after the writer's message %d (bridge had published %d, the"
          + " writer had written %d into the pipe): NATS stored messages 0..%d; the writer learned %d ms after the kill, at its"
          + " message %d, by PeerClosedException (written %d, accepted and discarded %d); loss window: %d messages (%d KiB) written"
          + " into the pipe and not stored%n", rate > 0 ? rate + "/s" : "full speed", run, KILL_AT, forwardedBeforeKill,
          atKill.messagesWritten(), frames - 1, TimeUnit.NANOSECONDS.toMillis(learnedAt - killedAt), sent, written,
          learned.messagesDiscarded(), window, window * (atKill.bytesWritten() / Math.max(1, atKill.messagesWritten())) / 1024);
    } finally {
      bridge.destroyForcibly();
    }
  }

  /** The last value of {@code key} the bridge's {@code --report} lines gave, or -1. */
  private static long reported(Path log, String key) throws IOException {
    String text = Files.readString(log);
    int at = text.lastIndexOf(" " + key + "=");
    if (at < 0) {
      return -1;
    }
    int from = at + key.length() + 2;
    int to = from;
    while (to < text.length() && Character.isDigit(text.charAt(to))) {
      to++;
    }
    return to > from ? Long.parseLong(text.substring(from, to)) : -1;
  }
}
