package dev.fifochan.rpc;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The operations of the test responder (string codec); {@code events} receives the lines tests wait for. */
final class TestOps {
  private TestOps() {}

  static void register(RpcResponder.Builder<String> b, CountDownLatch latch, AtomicInteger entered,
      Consumer<String> events) {
    b.handle("", String.class, (s, call) -> s) // a call that names no operation, with the string codec's empty tag
        .handle("echo", String.class, (s, call) -> s)
        .handle("upper", String.class, (s, call) -> s.toUpperCase(Locale.ROOT)) // shares the request type
        .handle("fail", String.class, (s, call) -> {
          throw new IllegalStateException("boom: " + s);
        })
        .handle("status", String.class, (s, call) -> {
          throw new RpcException(RpcStatus.NOT_FOUND, "no such thing: " + s);
        })
        .handle("slow", String.class, (s, call) -> {
          events.accept("SLOW " + s + " started");
          Thread.sleep(Long.parseLong(s));
          return "slept " + s;
        })
        .handle("deadline", String.class, (s, call) -> "remaining-ms "
            + TimeUnit.NANOSECONDS.toMillis(call.deadline().remainingNanos()))
        .handle("hang", String.class, (s, call) -> {
          // waits to be cancelled; reports what it saw
          long remaining = call.deadline().isNone() ? -1 : TimeUnit.NANOSECONDS.toMillis(call.deadline().remainingNanos());
          events.accept("HANG " + s + " remaining-ms=" + remaining);
          CountDownLatch cancelled = new CountDownLatch(1);
          call.onCancel(cancelled::countDown);
          if (!cancelled.await(30, TimeUnit.SECONDS)) {
            events.accept("HANG-NOT-CANCELLED " + s);
            return "not cancelled";
          }
          events.accept("CANCELLED " + s + " " + call.cancelStatus());
          return "ignored";
        })
        .handle("latch", String.class, (s, call) -> {
          int n = entered.incrementAndGet();
          if (n % 100 == 0) {
            events.accept("ENTERED " + n);
          }
          latch.await();
          return "released " + s;
        })
        .handle("push", String.class, (s, call) -> {
          call.peer().notify("pushed", "pushed " + s, Duration.ofSeconds(5));
          return "ok " + s;
        })
        .handleStream("count", String.class, (s, call, items) -> {
          int n = Integer.parseInt(s);
          for (int i = 0; i < n; i++) {
            items.send("item-" + i);
          }
        })
        .handleStream("forever", String.class, (s, call, items) -> {
          call.onCancel(() -> events.accept("STREAM-CANCELLED " + s + " " + call.cancelStatus()));
          try {
            for (int i = 0; ; i++) {
              items.send(s + "-" + i);
              Thread.sleep(5);
            }
          } catch (RpcException e) {
            events.accept("STREAM-STOPPED " + s + " " + e.status());
          }
        })
        .handleStream("streamfail", String.class, (s, call, items) -> {
          items.send("a");
          items.send("b");
          throw new RpcException(RpcStatus.ABORTED, "stopped after two: " + s);
        })
        .onNotification("ping", String.class, (op, m, from) -> {
          events.accept("PING " + m);
          from.notify("pong", "pong " + m, Duration.ofSeconds(5));
        });
  }
}
