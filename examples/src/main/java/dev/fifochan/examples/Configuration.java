package dev.fifochan.examples;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Configuration: framing and end policy in one immutable ChannelConfig, FIFO matters in FifoOptions;
 * a following receiver reads one writer after another.
 */
public final class Configuration {
  private Configuration() {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("config"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("log.fifo");
    // README:begin configuration
    ChannelConfig config = ChannelConfig.builder()
        .checksum(true)                        // CRC-32C per frame
        .closeTimeout(Duration.ofSeconds(5))   // close() and abort() never take longer (default 30 s)
        .build();
    FifoOptions options = FifoOptions.builder()
        .openTimeout(Duration.ofSeconds(5))    // opening never waits forever (default 30 s)
        .follow(true)                          // the receiver reads writer after writer
        .build();
    // README:end
    CountDownLatch writersDone = new CountDownLatch(1);
    CompletableFuture<Void> reader = Examples.background(() -> {
      try (Receiver<String> rx = Fifo.openReceiver(path, Codecs.string(), config, options)) {
        for (int i = 0; i < 2; i++) {
          System.out.println(rx.receive(Duration.ofSeconds(10)));   // one message from each writer
        }
        writersDone.await(30, TimeUnit.SECONDS);   // a following reader never sees "the end": stay until they closed
      }
    });
    for (String writer : new String[] {"first writer", "second writer"}) {
      try (Sender<String> tx = Fifo.openSender(path, Codecs.string(), config, options.toBuilder().follow(false).build())) {
        tx.send(writer);
      }
    }
    writersDone.countDown();
    reader.get(30, TimeUnit.SECONDS);
  }
}
