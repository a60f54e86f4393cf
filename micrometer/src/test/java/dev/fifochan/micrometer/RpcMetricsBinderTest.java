package dev.fifochan.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcMetrics;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client and a responder over a real FIFO pair: successful calls, an error status, an unknown operation,
 * a deadline that passes before a slow reply (which then arrives late and is dropped), notifications both
 * ways; every meter equals its counter on both sides.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcMetricsBinderTest {
  @TempDir Path dir;

  @Test
  void clientAndResponderMetersEqualTheirCounters() throws Exception {
    FifoPair pair = FifoPair.of(dir.resolve("req"), dir.resolve("rsp"), FifoOptions.defaults());
    RpcConfig config = RpcConfig.builder().service("quotes").build();
    CountDownLatch slowReplied = new CountDownLatch(1);
    CountDownLatch notified = new CountDownLatch(2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).config(config)
        .handle("price", String.class, (symbol, call) -> symbol.equals("NONE")
            ? fail() : "12.5")
        .handle("slow", String.class, (s, call) -> {
          Thread.sleep(400);
          slowReplied.countDown();
          return "late";
        })
        .onNotification("reload", String.class, (op, what, from) -> {
          notified.countDown();
          from.notify("reloaded", what, Duration.ofSeconds(5));
        })
        .build();
    RpcResponderMetrics responderMetrics = new RpcResponderMetrics(responder);
    responderMetrics.bindTo(registry);
    responder.serve(pair.acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
        .config(config).onNotification((op, m, from) -> notified.countDown()).build()) {
      new RpcClientMetrics(client).bindTo(registry);
      for (int i = 0; i < 20; i++) {
        assertEquals("12.5", client.callBlocking("price", "ACME", String.class, Duration.ofSeconds(10)));
      }
      RpcException notFound = assertThrows(RpcException.class,
          () -> client.callBlocking("price", "NONE", String.class, Duration.ofSeconds(10)));
      assertEquals(RpcStatus.NOT_FOUND, notFound.status());
      RpcException unimplemented = assertThrows(RpcException.class,
          () -> client.callBlocking("volume", "ACME", String.class, Duration.ofSeconds(10)));
      assertEquals(RpcStatus.UNIMPLEMENTED, unimplemented.status());
      RpcException deadline = assertThrows(RpcException.class,
          () -> client.callBlocking("slow", "x", String.class, Duration.ofMillis(100)));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, deadline.status());
      client.notify("reload", "all", Duration.ofSeconds(5));
      assertTrue(notified.await(10, TimeUnit.SECONDS));
      assertTrue(slowReplied.await(10, TimeUnit.SECONDS));
      // the slow call was cancelled at its deadline: the responder sent nothing more, or its reply crossed
      // the cancel and the client dropped it; wait until both sides have counted whatever happened
      waitFor(() -> client.metrics().callsInFlight() == 0 && responder.metrics().callsInFlight() == 0);
      assertMetersEqual(registry, "client", client.metrics());
      assertMetersEqual(registry, "responder", responder.metrics());

      RpcMetrics c = client.metrics();
      assertEquals(23, c.callsStarted());
      assertEquals(20, c.callsSucceeded());
      assertEquals(1, c.callsFailed(RpcStatus.NOT_FOUND));
      assertEquals(1, c.callsFailed(RpcStatus.DEADLINE_EXCEEDED));
      assertEquals(1, c.notificationsSent());
      assertEquals(1, c.notificationsReceived());
      assertEquals(1, c.connections());
      assertEquals(20.0, registry.get("fifochan.rpc.calls").tag("role", "client").tag("status", "OK")
          .functionCounter().count());
      assertEquals(1.0, registry.get("fifochan.rpc.calls").tag("role", "client").tag("status", "UNIMPLEMENTED")
          .functionCounter().count());
    } finally {
      responder.close();
      responderMetrics.close();
    }
  }

  @Test
  void aReplyAfterTheDeadlineIsCountedAsALateFrame() throws Exception {
    // the handler ignores cancellation and replies after the client's deadline; whether the responder's own
    // deadline stops the reply depends on timing, so the handler replies quickly after the client gave up:
    // the client's deadline is shorter than the responder's (the responder's clock starts on arrival)
    FifoPair pair = FifoPair.of(dir.resolve("req2"), dir.resolve("rsp2"), FifoOptions.defaults());
    RpcConfig config = RpcConfig.builder().service("late").build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).config(config)
        .handle("echo", String.class, (s, call) -> s).build();
    responder.serve(pair.acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
        .config(config).build()) {
      new RpcClientMetrics(client).bindTo(registry);
      assertTrue(client.awaitConnected(Duration.ofSeconds(20)));
      // cancel the future at once: the call stays answered by the responder, and its reply arrives for a call
      // the client no longer waits for
      int late = 0;
      for (int i = 0; i < 50 && late == 0; i++) {
        client.call("echo", "x" + i, String.class, Duration.ofSeconds(10)).cancel(false);
        Thread.sleep(20);
        late = (int) client.metrics().lateFramesDropped();
      }
      assertTrue(late > 0, "a reply crossed a cancel: " + client.metrics());
      assertMetersEqual(registry, "client", client.metrics());
      assertEquals((double) client.metrics().lateFramesDropped(),
          registry.get("fifochan.rpc.frames.late").functionCounter().count());
    } finally {
      responder.close();
    }
  }

  private static String fail() throws RpcException {
    throw new RpcException(RpcStatus.NOT_FOUND, "no such symbol");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertTrue(condition.getAsBoolean());
  }

  /** Every meter of {@code role} equals the counter it reads. */
  static void assertMetersEqual(SimpleMeterRegistry registry, String role, RpcMetrics m) {
    List<Meter> ours = new ArrayList<>(registry.getMeters());
    ours.removeIf(x -> !role.equals(x.getId().getTag("role")));
    int expected = 0;
    for (Meter meter : ours) {
      Meter.Id id = meter.getId();
      double value = ChannelMetricsTest.valueOf(meter);
      long want;
      switch (id.getName()) {
        case "fifochan.rpc.calls.started": want = m.callsStarted(); break;
        case "fifochan.rpc.calls":
          RpcStatus s = RpcStatus.valueOf(id.getTag("status"));
          want = s == RpcStatus.OK ? m.callsSucceeded() : m.callsFailed(s);
          break;
        case "fifochan.rpc.calls.in.flight": want = m.callsInFlight(); break;
        case "fifochan.rpc.frames.late": want = m.lateFramesDropped(); break;
        case "fifochan.rpc.frames.ignored": want = m.framesIgnored(); break;
        case "fifochan.rpc.cancels":
          want = "send".equals(id.getTag("direction")) ? m.cancelsSent() : m.cancelsReceived();
          break;
        case "fifochan.rpc.calls.expired": want = m.callsExpiredOnArrival(); break;
        case "fifochan.rpc.notifications":
          want = "send".equals(id.getTag("direction")) ? m.notificationsSent() : m.notificationsReceived();
          break;
        case "fifochan.rpc.notifications.dropped": want = m.notificationsDropped(); break;
        case "fifochan.rpc.connections": want = m.connections(); break;
        case "fifochan.rpc.reconnects": want = m.reconnects(); break;
        case "fifochan.rpc.connection.failures": want = m.connectionFailures(); break;
        default: throw new AssertionError("unexpected meter " + id);
      }
      assertEquals((double) want, value, 0.0, id.toString());
      expected++;
    }
    // 17 statuses + 11 others: the client has reconnects, the responder calls expired on arrival instead
    assertEquals(RpcStatus.values().length + 11, expected, role);
  }
}
