package dev.fifochan.examples;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.micrometer.ReceiverMetrics;
import dev.fifochan.micrometer.SenderMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Metrics: a sender's and a receiver's counters in a Micrometer registry (here a SimpleMeterRegistry). */
public final class Metrics {
  private Metrics() {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("metrics"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("events.fifo");
    // README:begin metrics
    MeterRegistry registry = new SimpleMeterRegistry();          // or Prometheus, OTLP, ...
    ChannelConfig config = ChannelConfig.builder().name("events").build();   // the meters' channel tag
    // README:end
    CompletableFuture<Void> reader = Examples.background(() -> {
      // README:begin metrics-receiver
      try (Receiver<String> rx = Fifo.openReceiver(path, Codecs.string(), config);
          ReceiverMetrics metrics = new ReceiverMetrics(rx)) {   // close() removes the meters
        metrics.bindTo(registry);
        long n = rx.stream().count();
        System.out.println("received " + n + ", fifochan.messages{direction=receive} = "
            + registry.get("fifochan.messages").tag("direction", "receive").functionCounter().count());
      }
      // README:end
    });
    // README:begin metrics-sender
    try (Sender<String> tx = Fifo.openSender(path, Codecs.string(), config);
        SenderMetrics metrics = new SenderMetrics(tx)) {
      metrics.bindTo(registry);
      for (int i = 0; i < 1000; i++) {
        tx.send("event " + i);
      }
      tx.flush();
      System.out.println("fifochan.messages{direction=send} = "
          + registry.get("fifochan.messages").tag("direction", "send").functionCounter().count());
      System.out.println("fifochan.bytes{direction=send} = "
          + registry.get("fifochan.bytes").tag("direction", "send").functionCounter().count());
    }
    // README:end
    reader.get(30, TimeUnit.SECONDS);
  }
}
