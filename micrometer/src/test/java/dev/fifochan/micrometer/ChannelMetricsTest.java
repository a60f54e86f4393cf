package dev.fifochan.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.EncodeException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.Receiver;
import dev.fifochan.ReceiverStats;
import dev.fifochan.Sender;
import dev.fifochan.SenderStats;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender and a receiver over a real FIFO with a small pipe and a reader that starts late (so the
 * sender waits for room), with messages that fail in every counted way; every meter equals its counter.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelMetricsTest {
  private static final int MESSAGES = 2_000;
  private static final String BIG = "x".repeat(1_000);

  @TempDir Path dir;

  @Test
  void everyMeterEqualsItsCounterAfterRealTraffic() throws Exception {
    Path fifo = Fifo.create(dir.resolve("events"));
    FifoOptions options = FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).pipeSize(4096).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger deadLetters = new AtomicInteger();
    CountDownLatch readerBound = new CountDownLatch(1);
    CountDownLatch senderDone = new CountDownLatch(1);
    ChannelConfig rxConfig = ChannelConfig.builder().name("events-in").deadLetters(e -> deadLetters.incrementAndGet())
        .build();
    List<String> got = new ArrayList<>();
    Receiver<?>[] receiver = new Receiver<?>[1];
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      try (Receiver<String> rx = Fifo.openReceiver(fifo, new TestCodec(), rxConfig, options)) {
        receiver[0] = rx;
        new ReceiverMetrics(rx, Tags.of("app", "test")).bindTo(registry);
        readerBound.countDown();
        Thread.sleep(300); // the pipe fills meanwhile: the sender waits for room
        for (String s : rx) {
          got.add(s);
        }
        senderDone.await();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });

    ChannelConfig txConfig = ChannelConfig.builder().name("events-out").maxFrameLength(2_000)
        .heartbeatInterval(Duration.ofMillis(20)).build();
    Sender<String> tx = Fifo.openSender(fifo, new TestCodec(), txConfig, options);
    SenderMetrics senderMetrics = new SenderMetrics(tx, Tags.of("app", "test"));
    senderMetrics.bindTo(registry);
    assertTrue(readerBound.await(20, TimeUnit.SECONDS));
    for (int i = 0; i < MESSAGES; i++) {
      tx.send(i + " " + BIG);
    }
    assertThrows(EncodeException.class, () -> tx.send("unencodable"));
    assertThrows(MessageTooLongException.class, () -> tx.send("y".repeat(3_000)));
    tx.send("undecodable");
    tx.send("?what");
    tx.flush();
    Thread.sleep(120); // idle: heartbeats go out
    tx.send("last");
    tx.close();
    senderDone.countDown();
    reading.get(30, TimeUnit.SECONDS);
    assertEquals(MESSAGES + 1, got.size());

    SenderStats s = tx.stats();
    ReceiverStats r = receiver[0].stats();
    // the traffic was real: each kind of event happened
    assertEquals(MESSAGES + 3, s.messagesWritten());
    assertTrue(s.backPressureWaits() > 0, s.toString());
    assertTrue(s.heartbeatsSent() > 0, s.toString());
    assertEquals(1, s.encodeFailures());
    assertEquals(1, s.tooLongRefusals());
    assertEquals(1, r.undecodable());
    assertEquals(1, r.unknownTypes());
    assertEquals(2, r.deadLettered());
    assertEquals(2, deadLetters.get());

    Map<String, LongSupplier> sent = new LinkedHashMap<>();
    sent.put("fifochan.messages", s::messagesWritten);
    sent.put("fifochan.messages.accepted", s::messagesAccepted);
    sent.put("fifochan.messages.pending", s::messagesPending);
    sent.put("fifochan.bytes", s::bytesWritten);
    sent.put("fifochan.payload.bytes", s::payloadBytesAccepted);
    sent.put("fifochan.flushes", s::flushes);
    sent.put("fifochan.backpressure", s::backPressureWaits);
    sent.put("fifochan.timeouts", s::timeouts);
    sent.put("fifochan.errors kind=encode", s::encodeFailures);
    sent.put("fifochan.errors kind=too_long", s::tooLongRefusals);
    sent.put("fifochan.sessions.started", s::sessionsStarted);
    sent.put("fifochan.sessions.ended outcome=clean", s::sessionsEnded);
    sent.put("fifochan.sessions.ended outcome=aborted", s::sessionsAborted);
    sent.put("fifochan.sessions.ended outcome=truncated", s::sessionsTruncated);
    sent.put("fifochan.heartbeats", s::heartbeatsSent);
    assertMeters(registry, senderMetrics, "events-out", "send", sent);
    FunctionTimer blocked = registry.get("fifochan.backpressure").tag("channel", "events-out").functionTimer();
    assertEquals(s.backPressureNanos(), blocked.totalTime(TimeUnit.NANOSECONDS), 1.0);
    assertTrue(blocked.totalTime(TimeUnit.MILLISECONDS) > 100, "the sender waited for the late reader");

    Map<String, LongSupplier> received = new LinkedHashMap<>();
    received.put("fifochan.messages", r::messagesReceived);
    received.put("fifochan.frames", r::framesReceived);
    received.put("fifochan.payload.bytes", r::payloadBytesReceived);
    received.put("fifochan.timeouts", r::timeouts);
    received.put("fifochan.errors kind=undecodable", r::undecodable);
    received.put("fifochan.errors kind=unknown_type", r::unknownTypes);
    received.put("fifochan.errors kind=malformed", r::malformedFrames);
    received.put("fifochan.errors kind=stream", r::streamFailures);
    received.put("fifochan.errors kind=liveness", r::livenessTimeouts);
    received.put("fifochan.dead.letters", r::deadLettered);
    received.put("fifochan.sessions.started", r::sessionsStarted);
    received.put("fifochan.sessions.ended outcome=clean", r::sessionsEnded);
    received.put("fifochan.sessions.ended outcome=aborted", r::sessionsAborted);
    received.put("fifochan.sessions.ended outcome=truncated", r::sessionsTruncated);
    received.put("fifochan.heartbeats", r::heartbeatsReceived);
    assertMeters(registry, null, "events-in", "receive", received);
    assertEquals(MESSAGES + 1, r.messagesReceived());
    assertEquals(MESSAGES + 3, r.framesReceived());

    senderMetrics.close();
    assertTrue(registry.find("fifochan.messages").tag("channel", "events-out").meters().isEmpty());
    assertEquals(1, registry.find("fifochan.messages").tag("channel", "events-in").meters().size());
  }

  /** Each expected meter has the standard tags and its counter's value; the channel has no other meter. */
  static void assertMeters(SimpleMeterRegistry registry, MeterSet set, String channel, String direction,
      Map<String, LongSupplier> expected) {
    List<Meter> ours = new ArrayList<>(registry.getMeters());
    ours.removeIf(m -> !channel.equals(m.getId().getTag("channel")));
    assertEquals(expected.size(), ours.size(), () -> "meters of " + channel + ": " + ids(ours));
    for (Map.Entry<String, LongSupplier> e : expected.entrySet()) {
      String[] nameAndTag = e.getKey().split(" ");
      var search = registry.get(nameAndTag[0]).tag("channel", channel).tag("direction", direction)
          .tag("app", "test").tag("codec", "test");
      if (nameAndTag.length > 1) {
        String[] kv = nameAndTag[1].split("=");
        search = search.tag(kv[0], kv[1]);
      }
      Meter m = search.meter();
      assertEquals((double) e.getValue().getAsLong(), valueOf(m), 0.0, e.getKey());
    }
    if (set != null) {
      assertEquals(expected.size(), set.meterIds().size());
    }
  }

  static double valueOf(Meter m) {
    if (m instanceof FunctionCounter) {
      return ((FunctionCounter) m).count();
    }
    if (m instanceof Gauge) {
      return ((Gauge) m).value();
    }
    if (m instanceof FunctionTimer) {
      return ((FunctionTimer) m).count();
    }
    throw new AssertionError("unexpected meter " + m.getId());
  }

  static List<String> ids(List<Meter> meters) {
    List<String> out = new ArrayList<>();
    for (Meter m : meters) {
      StringBuilder b = new StringBuilder(m.getId().getName());
      for (Tag t : m.getId().getTagsAsIterable()) {
        b.append(' ').append(t.getKey()).append('=').append(t.getValue());
      }
      out.add(b.toString());
    }
    return out;
  }
}
