package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.SendStatus;
import dev.fifochan.SendTimeoutException;
import dev.fifochan.Sender;
import io.nats.client.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server outage: offer answers NOT_CONNECTED, a timed send times out (not sent), a blocking send waits for the reconnect; a connection closed for good is NatsConnectionException. */
@Timeout(120)
class NatsReconnectTest {

  @Test
  void outageMapsToTheSendOutcomes() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start()) {
      NatsConnectOptions co = NatsConnectOptions.builder().server(server.url()).reconnectWait(Duration.ofMillis(100)).build();
      NatsConnectOptions once = NatsConnectOptions.builder().server(server.url()).maxReconnects(0).build();
      try (Connection pub = co.connect(); Connection sub = co.connect(); Connection fragile = once.connect()) {
        NatsOptions follow = NatsOptions.builder().follow(true).build();
        try (Receiver<String> rx = Nats.openReceiver(sub, "outage", Codecs.string(), ChannelConfig.defaults(), follow);
            Sender<String> tx = Nats.openSender(pub, "outage", Codecs.string());
            Sender<String> doomed = Nats.openSender(fragile, "outage.other", Codecs.string())) {
          tx.send("before");
          assertEquals("before", rx.receive(Duration.ofSeconds(10)));
          server.kill();
          await(() -> pub.getStatus() != Connection.Status.CONNECTED);
          assertEquals(SendStatus.NOT_CONNECTED, SendStatus.of(tx.offer("refused")));
          assertThrows(SendTimeoutException.class, () -> tx.send("timed out", Duration.ofMillis(300)));
          await(() -> fragile.getStatus() == Connection.Status.CLOSED);
          assertThrows(NatsConnectionException.class, () -> doomed.send("never"));
          server.restart();
          await(() -> pub.getStatus() == Connection.Status.CONNECTED && sub.getStatus() == Connection.Status.CONNECTED);
          sub.flush(Duration.ofSeconds(5)); // the subscription is back at the server
          tx.send("after"); // a blocking send would also have waited for the reconnect
          assertEquals("after", rx.receive(Duration.ofSeconds(10)), "nothing refused or timed out was sent, so no gap either");
        }
      }
    }
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not reached in 20 s");
      }
      Thread.sleep(10);
    }
  }
}
