package dev.fifochan.examples;

import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.json.JsonCodec;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Several JSON types on one channel, told apart by a type tag in each frame. */
public final class JsonTypes {
  private JsonTypes() {}

  record Order(long id, String item, int qty) {}

  record Cancel(long id, String reason) {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("json-types"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("events.fifo");
    // README:begin json-types
    Codec<Object> events = JsonCodec.builder()
        .register("order", Order.class)
        .register("cancel", Cancel.class)
        .build();
    // README:end
    CompletableFuture<Void> reader = Examples.background(() -> {
      // README:begin json-types-receive
      try (Receiver<Object> rx = Fifo.openReceiver(path, events)) {
        for (Object e : rx) {
          if (e instanceof Order o) {
            System.out.println("order " + o.id() + ": " + o.qty() + " x " + o.item());
          } else if (e instanceof Cancel c) {
            System.out.println("cancel " + c.id() + ": " + c.reason());
          }
        }
      }
      // README:end
    });
    // README:begin json-types-send
    try (Sender<Object> tx = Fifo.openSender(path, events)) {
      tx.send(new Order(7, "lamp", 1));
      tx.send(new Cancel(7, "changed my mind"));
    }
    // README:end
    reader.get(30, TimeUnit.SECONDS);
  }
}
