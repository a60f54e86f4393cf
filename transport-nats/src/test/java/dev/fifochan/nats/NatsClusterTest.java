package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three nats-server nodes routed on loopback stand in for three hosts: publisher on node 1, subscriber on node 3. */
@Timeout(180)
class NatsClusterTest {
  private static List<NatsServerProcess> nodes;

  @BeforeAll
  static void start() throws Exception {
    nodes = NatsServerProcess.cluster();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.forEach(NatsServerProcess::close);
    }
  }

  @Test
  void coreAcrossNodes() throws Exception {
    try (Connection n1 = NatsConnectOptions.server(nodes.get(0).url()).connect();
        Connection n3 = NatsConnectOptions.server(nodes.get(2).url()).connect()) {
      String subject = "cluster.core";
      try (Receiver<String> rx = Nats.openReceiver(n3, subject, Codecs.string())) {
        awaitInterest(n1, subject);
        try (Sender<String> tx = Nats.openSender(n1, subject, Codecs.string())) {
          for (int i = 0; i < 10_000; i++) {
            tx.send("c" + i);
          }
        }
        for (int i = 0; i < 10_000; i++) {
          assertEquals("c" + i, rx.receive(Duration.ofSeconds(10)));
        }
        assertNull(rx.receive(Duration.ofSeconds(10)));
      }
    }
  }

  @Test
  void jetStreamReplicatedAcrossNodes() throws Exception {
    try (Connection n1 = NatsConnectOptions.server(nodes.get(0).url()).connect();
        Connection n3 = NatsConnectOptions.server(nodes.get(2).url()).connect()) {
      String subject = "cluster.js";
      NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).replicas(3).replay(NatsOptions.Replay.ALL)
          .durable("n3reader").build();
      try (Sender<String> tx = Nats.openSender(n1, subject, Codecs.string(), ChannelConfig.defaults(), js)) {
        for (int i = 0; i < 5_000; i++) {
          tx.send("j" + i);
        }
      }
      try (Receiver<String> rx = Nats.openReceiver(n3, subject, Codecs.string(), ChannelConfig.defaults(), js)) {
        for (int i = 0; i < 5_000; i++) {
          assertEquals("j" + i, rx.receive(Duration.ofSeconds(20)));
        }
        assertNull(rx.receive(Duration.ofSeconds(20)));
      }
    }
  }

  /** Route interest propagates asynchronously: publish probes until node 3's subscription is seen from node 1. */
  private static void awaitInterest(Connection from, String subject) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String probe = subject + ".probe";
    try (Connection n3 = NatsConnectOptions.server(nodes.get(2).url()).connect()) {
      io.nats.client.Subscription s = n3.subscribe(probe);
      n3.flush(Duration.ofSeconds(5));
      while (System.nanoTime() < until) {
        from.publish(probe, new byte[0]);
        if (s.nextMessage(Duration.ofMillis(100)) != null) {
          Thread.sleep(200);
          return;
        }
      }
    }
  }
}
