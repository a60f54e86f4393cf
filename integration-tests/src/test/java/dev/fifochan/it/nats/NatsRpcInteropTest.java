package dev.fifochan.it.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.nats.Nats;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.nats.NatsServerProcess;
import dev.fifochan.rpc.PeerGoneException;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcStatus;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request/response over NATS across languages and processes (docs/nats.md §5): the Java {@code RpcClient}
 * with the Go responder ({@code fifochan-nats-peer rpc-serve}) and with a Java responder in a child JVM,
 * and the Go client ({@code fifochan-nats-peer rpc-client}) with the Java responder. Each: calls from 16
 * callers matched by content ({@code -Dfifochan.it.natsRpcCalls}, default 8,000), an error answer, the
 * deadline seen by the handler and passed (the handler is cancelled), a cancel reaching the handler, the
 * responder SIGKILLed with three calls in flight (each fails UNAVAILABLE with its request written: over
 * NATS only the responder's silence shows its death, after the liveness timeout), and a restarted responder
 * serving the same client.
 */
@Timeout(300)
class NatsRpcInteropTest {
  private static final int CALLS = Integer.getInteger("fifochan.it.natsRpcCalls", 8_000);
  private static final int CALLERS = 16;
  private static final Duration LINE = Duration.ofSeconds(30);
  private static final long HEARTBEAT_MS = 200;
  private static final long LIVENESS_MS = 1500;
  private static NatsServerProcess server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = NatsServerProcess.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    open.clear();
  }

  private <C extends AutoCloseable> C keep(C c) {
    open.add(0, c);
    return c;
  }

  private LineProcess goResponder(String subject) throws Exception {
    return keep(LineProcess.start("go-responder", List.of(GoNatsPeer.binary().toString(), "rpc-serve", "-url", server.url(),
        "-subject", subject, "-service", "quotes", "-heartbeat", HEARTBEAT_MS + "ms", "-liveness", LIVENESS_MS + "ms")));
  }

  private LineProcess javaResponder(String subject) throws Exception {
    return keep(LineProcess.java("java-responder", NatsRpcResponderMain.class, server.url(), subject, "quotes",
        Long.toString(HEARTBEAT_MS), Long.toString(LIVENESS_MS)));
  }

  interface Starter {
    LineProcess start(String subject) throws Exception;
  }

  @Test
  void javaClientGoResponder() throws Exception {
    javaClient(this::goResponder);
  }

  @Test
  void javaClientJavaResponder() throws Exception {
    javaClient(this::javaResponder);
  }

  private void javaClient(Starter responders) throws Exception {
    String subject = "svc.quotes." + System.nanoTime();
    LineProcess responder = responders.start(subject);
    Connection nc = keep(NatsConnectOptions.server(server.url()).connect());
    RpcConfig config = RpcConfig.builder().service("quotes").heartbeatInterval(Duration.ofMillis(HEARTBEAT_MS))
        .livenessTimeout(Duration.ofMillis(LIVENESS_MS)).build();
    ChannelConfig channel = ChannelConfig.builder().livenessTimeout(Duration.ofMillis(LIVENESS_MS)).build();
    RpcClient<String> client = keep(RpcClient.builder(Nats.connector(nc, subject, channel), Codecs.string()).config(config).build());
    assertTrue(client.awaitConnected(LINE));

    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int g = 0; g < CALLERS; g++) {
        int caller = g;
        done.add(callers.submit(() -> {
          for (int i = 0; i < CALLS / CALLERS; i++) {
            String text = "java-" + caller + "-" + i;
            boolean upper = i % 2 == 1;
            String got = client.callBlocking(upper ? "upper" : "echo", text, String.class, LINE);
            assertEquals(upper ? text.toUpperCase(Locale.ROOT) : text, got);
          }
          return CALLS / CALLERS;
        }));
      }
      int n = 0;
      for (Future<Integer> f : done) {
        n += f.get(120, TimeUnit.SECONDS);
      }
      assertEquals(CALLERS * (CALLS / CALLERS), n);
    } finally {
      callers.shutdownNow();
    }

    RpcException fail = failure(client.call("fail", "x", String.class, LINE));
    assertEquals(RpcStatus.NOT_FOUND, fail.status());
    assertTrue(fail.isRemote());

    long left = Long.parseLong(client.callBlocking("remaining", "", String.class, Duration.ofSeconds(2)));
    assertTrue(left > 0 && left <= 2000, "the handler's deadline: " + left + " ms left");
    RpcException late = failure(client.call("slow", "5000", String.class, Duration.ofMillis(300)));
    assertEquals(RpcStatus.DEADLINE_EXCEEDED, late.status());
    responder.await("CANCELLED 4", LINE);

    CompletableFuture<String> hang = client.call("hang", "c1", String.class, LINE);
    responder.await("HANG c1", LINE);
    hang.cancel(true);
    responder.await("CANCELLED 1", LINE);

    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      inFlight.add(client.call("hang", "k" + i, String.class, Duration.ofSeconds(60)));
      responder.await("HANG k" + i, LINE);
    }
    long killed = System.nanoTime();
    responder.kill();
    PeerGoneException.Reason reason = null;
    for (CompletableFuture<String> f : inFlight) {
      PeerGoneException gone = assertInstanceOf(PeerGoneException.class, failure(f));
      assertTrue(gone.requestWritten(), gone.getMessage());
      assertEquals(RpcStatus.UNAVAILABLE, gone.status());
      reason = gone.reason();
    }
    long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(noticedMs < LIVENESS_MS + 3000, "the responder's death noticed after " + noticedMs + " ms");

    responders.start(subject);
    assertEquals("back", client.callBlocking("echo", "back", String.class, LINE));
    System.out.printf("NATS rpc, Java client: %d calls from %d callers matched; responder SIGKILLed with 3 calls in flight:"
        + " all failed UNAVAILABLE (%s), request written, after %d ms; a restarted responder served the client%n", CALLS, CALLERS,
        reason, noticedMs);
  }

  @Test
  void goClientJavaResponder() throws Exception {
    String subject = "svc.quotes." + System.nanoTime();
    LineProcess responder = javaResponder(subject);
    LineProcess client = keep(LineProcess.start("go-client", List.of(GoNatsPeer.binary().toString(), "rpc-client", "-url",
        server.url(), "-subject", subject, "-service", "quotes", "-heartbeat", HEARTBEAT_MS + "ms", "-liveness",
        LIVENESS_MS + "ms")));
    client.await("CONNECTED", LINE);
    client.send("calls " + CALLERS + " " + CALLS / CALLERS);
    assertEquals("CALLS-OK " + CALLERS * (CALLS / CALLERS), client.await("CALLS-", Duration.ofSeconds(120)));

    client.send("call f fail 5000 x");
    assertTrue(client.await("RESULT f ", LINE).contains("ERR code=5 remote=true"));
    client.send("call r remaining 2000");
    String r = client.await("RESULT r ", LINE);
    long left = Long.parseLong(r.substring("RESULT r OK ".length()));
    assertTrue(left > 0 && left <= 2000, r);
    client.send("call d slow 300 5000");
    assertTrue(client.await("RESULT d ", LINE).contains("ERR code=4 "));
    responder.await("CANCELLED 4", LINE);

    client.send("call c hang 0 c1");
    responder.await("HANG c1", LINE);
    client.send("cancel c");
    assertTrue(client.await("RESULT c ", LINE).contains("ERR code=1 "));
    responder.await("CANCELLED 1", LINE);

    for (int i = 0; i < 3; i++) {
      client.send("call k" + i + " hang 0 k" + i);
      responder.await("HANG k" + i, LINE);
    }
    responder.kill();
    String gone = null;
    for (int i = 0; i < 3; i++) {
      String line = client.await("RESULT k", LINE);
      assertTrue(line.contains("ERR code=14 ") && line.contains(" written=true "), line);
      gone = line.replaceAll(".* gone=(\\S+) .*", "$1");
    }
    javaResponder(subject);
    client.send("call b echo 20000 back");
    assertEquals("RESULT b OK back", client.await("RESULT b ", LINE));
    System.out.printf("NATS rpc, Go client, Java responder: %d calls matched; the responder SIGKILLed with 3 calls in flight:"
        + " all failed UNAVAILABLE (%s) with the request written; a restarted responder served the client%n", CALLS, gone);
  }

  private static RpcException failure(CompletableFuture<String> f) throws InterruptedException {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
    return assertInstanceOf(RpcException.class, e.getCause());
  }
}
