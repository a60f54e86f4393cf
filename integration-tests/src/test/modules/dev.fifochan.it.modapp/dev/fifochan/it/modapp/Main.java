package dev.fifochan.it.modapp;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.json.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one JSON message through a FIFO with {@code JsonCodec.of(Order.class)} and receives it with
 * the {@code json} codec that {@link Codecs#byName} finds through the module graph's service
 * bindings; prints what arrived and what the module system says. Argument: a private directory.
 */
public final class Main {
  private Main() {}

  /** The message. */
  public record Order(long id, String item, int qty) {}

  public static void main(String[] args) throws Exception {
    Path fifo = Fifo.create(Path.of(args[0]).resolve("orders"));
    @SuppressWarnings("unchecked")
    Codec<Object> found = (Codec<Object>) Codecs.byName("json", Map.of());
    CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
      try (Receiver<Object> r = Fifo.openReceiver(fifo, found)) {
        Object first = r.receive(Duration.ofSeconds(30));
        Object end = r.receive(Duration.ofSeconds(30));
        return first + (end == null ? " then a clean end" : " then " + end);
      } catch (Exception e) {
        return "failed: " + e;
      }
    });
    try (Sender<Order> s = Fifo.openSender(fifo, JsonCodec.of(Order.class))) {
      s.send(new Order(1, "book", 2));
    }
    Module app = Main.class.getModule();
    Module api = Sender.class.getModule();
    System.out.println("received=" + received.get(60, TimeUnit.SECONDS));
    System.out.println("modules=" + app.getName() + "," + Fifo.class.getModule().getName() + ","
        + JsonCodec.class.getModule().getName() + "," + api.getName());
    System.out.println("codec=" + found.getClass().getModule().getName() + "/" + found.name());
    System.out.println("exported=" + api.isExported("dev.fifochan") + "," + api.isExported("dev.fifochan.spi")
        + " internal=" + api.isExported("dev.fifochan.internal") + ","
        + Fifo.class.getModule().isExported("dev.fifochan.fifo.internal"));
    Files.delete(fifo);
  }
}
