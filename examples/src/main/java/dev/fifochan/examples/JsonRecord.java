package dev.fifochan.examples;

import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.json.JsonCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Java record as JSON (Jackson), java.time and Optional included. */
public final class JsonRecord {
  private JsonRecord() {}

  // README:begin json-record
  record Order(long id, String item, int qty, Instant placed, Optional<String> note, Duration ttl) {}
  // README:end

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("json"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("orders.fifo");
    CompletableFuture<Void> reader = Examples.background(() -> receive(path));
    send(path);
    reader.get(30, TimeUnit.SECONDS);
  }

  static void send(Path path) throws IOException {
    // README:begin json-send
    try (Sender<Order> tx = Fifo.openSender(path, JsonCodec.of(Order.class))) {
      tx.send(new Order(1, "book", 2, Instant.parse("2026-11-29T10:15:30Z"), Optional.of("gift"), Duration.ofHours(1)));
      tx.send(new Order(2, "pen", 10, Instant.parse("2026-11-29T10:16:00Z"), Optional.empty(), Duration.ofMinutes(5)));
    }
    // README:end
  }

  static void receive(Path path) throws IOException {
    // README:begin json-receive
    try (Receiver<Order> rx = Fifo.openReceiver(path, JsonCodec.of(Order.class))) {
      Order o;
      while ((o = rx.receive()) != null) {                    // null at a clean end of stream
        System.out.println(o.id() + " " + o.item() + " x" + o.qty() + " at " + o.placed() + " "
            + o.note().orElse("-") + " ttl " + o.ttl());
      }
    }
    // README:end
  }
}
