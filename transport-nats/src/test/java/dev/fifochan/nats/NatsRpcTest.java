package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcResponder;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The unchanged RpcClient and RpcResponder over NATS (Nats.connector / Nats.acceptor). */
@Timeout(120)
class NatsRpcTest {
  private static final Duration D = Duration.ofSeconds(10);
  private static NatsServerProcess server;
  private static Connection clientConn;
  private static Connection serverConn;

  @BeforeAll
  static void start() throws Exception {
    server = NatsServerProcess.start();
    clientConn = NatsConnectOptions.builder().server(server.url()).name("client").build().connect();
    serverConn = NatsConnectOptions.builder().server(server.url()).name("responder").build().connect();
  }

  @AfterAll
  static void stop() throws Exception {
    clientConn.close();
    serverConn.close();
    server.close();
  }

  @Test
  void callsOverNats() throws Exception {
    String service = "svc.echo." + System.nanoTime();
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
        .handle("echo", String.class, (s, call) -> "echo:" + s)
        .handle("upper", String.class, (s, call) -> s.toUpperCase(java.util.Locale.ROOT))
        .build();
    try {
      responder.serve(Nats.acceptor(serverConn, service, ChannelConfig.defaults()));
      try (RpcClient<String> client = RpcClient.builder(Nats.connector(clientConn, service, ChannelConfig.defaults()),
          Codecs.string()).build()) {
        assertEquals("echo:hi", client.callBlocking("echo", "hi", String.class, D));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
          calls.add(client.call("upper", "m" + i, String.class, D));
        }
        for (int i = 0; i < 2000; i++) {
          assertEquals("M" + i, calls.get(i).get());
        }
      }
    } finally {
      assertTrue(responder.shutdown(D));
    }
  }

  @Test
  void theClientMayStartFirst() throws Exception {
    String service = "svc.late." + System.nanoTime();
    CompletableFuture<dev.fifochan.spi.Duplex> connecting = CompletableFuture.supplyAsync(() -> {
      try {
        return Nats.connector(clientConn, service, ChannelConfig.defaults()).connect(Deadline.after(D));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    Thread.sleep(500);
    dev.fifochan.spi.Acceptor acceptor = Nats.acceptor(serverConn, service, ChannelConfig.defaults());
    dev.fifochan.spi.Duplex accepted = acceptor.accept(Deadline.after(D));
    dev.fifochan.spi.Duplex connected = connecting.get();
    try (dev.fifochan.Sender<String> tx = dev.fifochan.Sender.over(connected.sink(), Codecs.string(), ChannelConfig.defaults());
        dev.fifochan.Receiver<String> rx = dev.fifochan.Receiver.over(accepted.source(), Codecs.string(), ChannelConfig.defaults())) {
      tx.send("over the inbox");
      tx.flush();
      assertEquals("over the inbox", rx.receive(D));
    }
    accepted.close();
    connected.close();
    acceptor.close();
  }

  @Test
  void noResponderIsAnOpenTimeout() {
    String service = "svc.none." + System.nanoTime();
    assertThrows(OpenTimeoutException.class,
        () -> Nats.connector(clientConn, service, ChannelConfig.defaults()).connect(Deadline.after(Duration.ofMillis(700))));
  }
}
