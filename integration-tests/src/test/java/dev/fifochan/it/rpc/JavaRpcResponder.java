package dev.fifochan.it.rpc;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.ConnectionListener;
import dev.fifochan.rpc.HandshakeException;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcPeer;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java responder of the cross-language request/response tests, run in a child JVM over the FIFO pair
 * {@code REQ}, {@code RSP}: the same operations as the Go peer's {@code rpc-serve} (string payloads).
 * Arguments: {@code REQ RSP [service=S] [codec=NAME] [heartbeat=MS] [liveness=MS]}. Prints {@code READY},
 * then one line per event the tests wait for; reads commands from stdin ({@code release}: open the latch;
 * {@code shutdown MS}; {@code metrics}).
 */
public final class JavaRpcResponder {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private JavaRpcResponder() {}

  private static void say(String line) {
    synchronized (OUT) {
      OUT.println(line);
    }
  }

  public static void main(String[] args) throws Exception {
    Path req = Path.of(args[0]);
    Path rsp = Path.of(args[1]);
    RpcConfig.Builder cb = RpcConfig.builder();
    String codecName = "string";
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      switch (kv[0]) {
        case "service" -> cb.service(kv[1]);
        case "codec" -> codecName = kv[1];
        case "heartbeat" -> cb.heartbeatInterval(Duration.ofMillis(Long.parseLong(kv[1])));
        case "liveness" -> cb.livenessTimeout(Duration.ofMillis(Long.parseLong(kv[1])));
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    CountDownLatch latch = new CountDownLatch(1);
    AtomicInteger entered = new AtomicInteger();
    RpcResponder<Object> responder = RpcResponder.<Object>builder(new RawStringCodec(codecName))
        .config(cb.build())
        .listener(new ConnectionListener() {
          @Override
          public void connected(RpcPeer peer) {
            say("CONNECTED");
          }

          @Override
          public void disconnected(RpcPeer peer, Throwable cause) {
            if (cause instanceof HandshakeException h) {
              say("HANDSHAKE-FAILED " + h.field() + " local=" + h.localValue() + " remote=" + h.remoteValue()
                  + " byPeer=" + h.detectedByPeer() + " | " + h.getMessage());
            } else {
              say("DISCONNECTED " + (cause == null ? "" : cause.getMessage()));
            }
          }
        })
        .handle("", String.class, (s, call) -> s)
        .handle("echo", String.class, (s, call) -> s)
        .handle("upper", String.class, (s, call) -> s.toUpperCase(Locale.ROOT))
        .handle("fail", String.class, (s, call) -> {
          throw new IllegalStateException("boom: " + s);
        })
        .handle("status", String.class, (s, call) -> {
          throw new RpcException(RpcStatus.NOT_FOUND, "no such thing: " + s);
        })
        .handle("deadline", String.class, (s, call) -> "remaining-ms "
            + (call.deadline().isNone() ? -1 : TimeUnit.NANOSECONDS.toMillis(call.deadline().remainingNanos())))
        .handle("hang", String.class, (s, call) -> {
          long remaining = call.deadline().isNone() ? -1 : TimeUnit.NANOSECONDS.toMillis(call.deadline().remainingNanos());
          say("HANG " + s + " remaining-ms=" + remaining);
          CountDownLatch cancelled = new CountDownLatch(1);
          call.onCancel(cancelled::countDown);
          if (!cancelled.await(30, TimeUnit.SECONDS)) {
            say("HANG-NOT-CANCELLED " + s);
            return "not cancelled";
          }
          say("CANCELLED " + s + " " + call.cancelStatus());
          return "ignored";
        })
        .handle("latch", String.class, (s, call) -> {
          int n = entered.incrementAndGet();
          if (n % 100 == 0) {
            say("ENTERED " + n);
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
        .handleStream("streamfail", String.class, (s, call, items) -> {
          items.send("a");
          items.send("b");
          throw new RpcException(RpcStatus.ABORTED, "stopped after two: " + s);
        })
        .onNotification("ping", String.class, (op, m, from) -> {
          say("PING " + m);
          from.notify("pong", "pong " + m, Duration.ofSeconds(5));
        })
        .build();
    responder.serve(FifoPair.of(req, rsp, FifoOptions.defaults()).acceptor(ChannelConfig.defaults()));
    say("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("release")) {
        latch.countDown();
      } else if (line.startsWith("shutdown ")) {
        boolean drained = responder.shutdown(Duration.ofMillis(Long.parseLong(line.substring(9).trim())));
        say("SHUTDOWN drained=" + drained + " " + responder.metrics());
        System.exit(0);
      } else if (line.equals("metrics")) {
        say("METRICS " + responder.metrics());
      }
    }
    System.exit(0);
  }
}
