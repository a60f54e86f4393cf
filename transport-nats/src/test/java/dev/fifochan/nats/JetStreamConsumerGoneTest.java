package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.Sender;
import dev.fifochan.spi.InboundRecord;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JetStream receiver whose pulls stop being answered: its durable consumer deleted while it waits
 * (gone for good, or re-created at once), or the server stopped (SIGSTOP) for longer than the pull's
 * heartbeat alarm. The receiver either goes on receiving or throws {@link ConsumerGoneException} within a
 * bound (40 s, generous for a loaded machine) — never returns "nothing yet" for ever — and does not spin
 * while it waits (its thread's CPU time is checked against the wall time).
 */
@Timeout(180)
class JetStreamConsumerGoneTest {
  private static final long BOUND_NANOS = Duration.ofSeconds(40).toNanos();
  private static NatsServerProcess server;
  private static ScheduledExecutorService timer;

  @BeforeAll
  static void start() throws Exception {
    server = NatsServerProcess.start();
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterAll
  static void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private static NatsOptions options(String durable) {
    return NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).durable(durable).replay(NatsOptions.Replay.ALL)
        .ackWait(Duration.ofSeconds(5)).follow(true).build();
  }

  @Test
  void aDeletedConsumerIsReportedNotWaitedForForEver() throws Exception {
    String subject = "gone.deleted";
    NatsOptions js = options("d-gone");
    try (Connection nc = NatsConnectOptions.server(server.url()).connect()) {
      Sender<String> tx = Nats.openSender(nc, subject, Codecs.string(), ChannelConfig.defaults(), js);
      NatsFrameSource rx = (NatsFrameSource) Nats.openSource(nc, subject, ChannelConfig.defaults(), js, null, "string");
      BitSet seen = new BitSet();
      send(tx, 0, 10);
      receive(rx, seen, 10);
      String stream = js.streamFor(subject);
      JetStreamManagement jsm = nc.jetStreamManagement();
      // deleted while the receiver waits inside next()
      ScheduledFuture<Boolean> del = timer.schedule(() -> jsm.deleteConsumer(stream, "d-gone"), 1, TimeUnit.SECONDS);
      long cpu0 = threadCpuNanos();
      long t0 = System.nanoTime();
      ConsumerGoneException gone = null;
      while (System.nanoTime() - t0 < BOUND_NANOS) {
        try {
          InboundRecord r = rx.next(Deadline.after(Duration.ofSeconds(5)));
          if (r != null && r.kind() == InboundRecord.Kind.FRAME) {
            fail("a frame after the consumer was deleted: " + StandardCharsets.UTF_8.decode(r.payload()));
          }
        } catch (ConsumerGoneException e) {
          gone = e;
          break;
        }
      }
      long wall = System.nanoTime() - t0;
      long cpu = threadCpuNanos() - cpu0;
      assertTrue(del.get(), "the consumer was deleted");
      assertNotNull(gone, "the receiver waited " + wall / 1_000_000 + " ms on a deleted consumer without saying so");
      assertEquals(stream, gone.stream());
      assertEquals("d-gone", gone.consumer());
      assertTrue(gone.getMessage().contains("d-gone"), gone.getMessage());
      System.out.printf("deleted consumer reported after %d ms; receiver thread CPU %d ms: %s%n", wall / 1_000_000,
          cpu / 1_000_000, gone.getMessage());
      assertTrue(cpu < wall / 2, "the receiver spun while waiting: CPU " + cpu / 1_000_000 + " ms of " + wall / 1_000_000 + " ms");
      // and it stays failed: every later call says so at once
      assertThrows(ConsumerGoneException.class, () -> rx.next(Deadline.after(Duration.ofSeconds(1))));
      rx.close();
      tx.close();
    }
  }

  @Test
  void aConsumerDeletedAndRecreatedIsPulledFromAgain() throws Exception {
    String subject = "gone.recreated";
    NatsOptions js = options("d-again");
    try (Connection nc = NatsConnectOptions.server(server.url()).connect()) {
      Sender<String> tx = Nats.openSender(nc, subject, Codecs.string(), ChannelConfig.defaults(), js);
      NatsFrameSource rx = (NatsFrameSource) Nats.openSource(nc, subject, ChannelConfig.defaults(), js, null, "string");
      BitSet seen = new BitSet();
      send(tx, 0, 10);
      receive(rx, seen, 10);
      String stream = js.streamFor(subject);
      JetStreamManagement jsm = nc.jetStreamManagement();
      ScheduledFuture<?> again = timer.schedule(() -> {
        jsm.deleteConsumer(stream, "d-again");
        // re-created from the first new message on: what came before was acknowledged by the old one
        long next = jsm.getStreamInfo(stream).getStreamState().getLastSequence() + 1;
        jsm.addOrUpdateConsumer(stream, NatsStreams.consumer(subject,
            js.toBuilder().replay(NatsOptions.Replay.fromSequence(next)).build()));
        return null;
      }, 1, TimeUnit.SECONDS);
      receiveNothingFor(rx, Duration.ofSeconds(3));
      again.get();
      send(tx, 10, 20);
      long cpu0 = threadCpuNanos();
      long t0 = System.nanoTime();
      receive(rx, seen, 20);
      long wall = System.nanoTime() - t0;
      long cpu = threadCpuNanos() - cpu0;
      System.out.printf("re-created consumer: the 10 new records came after %d ms (thread CPU %d ms)%n", wall / 1_000_000,
          cpu / 1_000_000);
      rx.close();
      tx.close();
    }
  }

  @Test
  void pullsTheConsumerRefusesAreReportedNotWaitedForForEver() throws Exception {
    String subject = "gone.refused";
    NatsOptions js = options("d-refused");
    try (Connection nc = NatsConnectOptions.server(server.url()).connect()) {
      Sender<String> tx = Nats.openSender(nc, subject, Codecs.string(), ChannelConfig.defaults(), js);
      NatsFrameSource rx = (NatsFrameSource) Nats.openSource(nc, subject, ChannelConfig.defaults(), js, null, "string");
      BitSet seen = new BitSet();
      send(tx, 0, 10);
      receive(rx, seen, 10);
      String stream = js.streamFor(subject);
      JetStreamManagement jsm = nc.jetStreamManagement();
      // an operator limits the consumer's pulls to 1 message: the receiver's pulls ask for more
      jsm.addOrUpdateConsumer(stream, io.nats.client.api.ConsumerConfiguration.builder(NatsStreams.consumer(subject, js))
          .maxBatch(1).build());
      receiveNothingFor(rx, Duration.ofSeconds(5)); // the pull made before the change expires (2 s); the next ones are refused
      send(tx, 10, 20);
      long t0 = System.nanoTime();
      PullRefusedException refused = null;
      while (System.nanoTime() - t0 < BOUND_NANOS) {
        try {
          InboundRecord r = rx.next(Deadline.after(Duration.ofSeconds(5)));
          if (r != null && r.kind() == InboundRecord.Kind.FRAME) {
            fail("a frame after the pulls were refused: " + StandardCharsets.UTF_8.decode(r.payload()));
          }
        } catch (PullRefusedException e) {
          refused = e;
          break;
        }
      }
      assertNotNull(refused, "the receiver waited for refused pulls without saying so");
      assertEquals("d-refused", refused.consumer());
      assertEquals(stream, refused.stream());
      assertEquals(10, refused.pending());
      assertTrue(refused.limit().contains("max_batch 1"), refused.limit());
      System.out.printf("refused pulls reported %d ms after the records were sent: %s%n", (System.nanoTime() - t0) / 1_000_000,
          refused.getMessage());
      assertThrows(PullRefusedException.class, () -> rx.next(Deadline.after(Duration.ofSeconds(1))));
      rx.close();
      tx.close();
    }
  }

  @Test
  void aServerStoppedLongerThanTheHeartbeatIsPulledFromAgain() throws Exception {
    String subject = "gone.stopped";
    NatsOptions js = options("d-stop");
    try (Connection nc = NatsConnectOptions.server(server.url()).connect()) {
      Sender<String> tx = Nats.openSender(nc, subject, Codecs.string(), ChannelConfig.defaults(), js);
      NatsFrameSource rx = (NatsFrameSource) Nats.openSource(nc, subject, ChannelConfig.defaults(), js, null, "string");
      BitSet seen = new BitSet();
      send(tx, 0, 10);
      receive(rx, seen, 10);
      signal("STOP");
      try {
        receiveNothingFor(rx, Duration.ofSeconds(8)); // the pull's heartbeat alarm is 3 s (1 s heartbeats)
      } finally {
        signal("CONT");
      }
      send(tx, 10, 20);
      long t0 = System.nanoTime();
      receive(rx, seen, 20);
      System.out.printf("server stopped 8 s: the 10 new records came %d ms after it went on%n",
          (System.nanoTime() - t0) / 1_000_000);
      rx.close();
      tx.close();
    }
  }

  /** This thread's CPU time (user + system) from {@code /proc/thread-self/stat}, in nanoseconds (10 ms steps). */
  private static long threadCpuNanos() throws Exception {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime, stime in clock ticks (100 Hz)
  }

  private static void signal(String sig) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(server.pid())).inheritIO().start();
    assertEquals(0, p.waitFor(), "kill -" + sig);
  }

  private static void send(Sender<String> tx, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      tx.send(Integer.toString(i));
    }
    tx.flush();
  }

  /** Receives until the frames {@code 0 .. upTo - 1} have all come, within the bound. */
  private static void receive(NatsFrameSource rx, BitSet seen, int upTo) throws Exception {
    long t0 = System.nanoTime();
    while (seen.cardinality() < upTo && System.nanoTime() - t0 < BOUND_NANOS) {
      InboundRecord r = rx.next(Deadline.after(Duration.ofSeconds(2)));
      if (r != null && r.kind() == InboundRecord.Kind.FRAME) {
        seen.set(Integer.parseInt(StandardCharsets.UTF_8.decode(r.payload()).toString()));
        rx.delivered(r);
        rx.released(r, null);
      }
    }
    assertEquals(upTo, seen.cardinality(), "records received within " + BOUND_NANOS / 1_000_000_000 + " s (first missing: "
        + seen.nextClearBit(0) + ")");
  }

  private static void receiveNothingFor(NatsFrameSource rx, Duration d) throws Exception {
    Deadline until = Deadline.after(d);
    while (!until.hasExpired()) {
      InboundRecord r = rx.next(until);
      if (r != null && r.kind() == InboundRecord.Kind.FRAME) {
        fail("an unexpected frame: " + StandardCharsets.UTF_8.decode(r.payload()));
      }
    }
  }
}
