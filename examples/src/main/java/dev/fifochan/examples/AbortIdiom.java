package dev.fifochan.examples;

import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.json.JsonCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * try-with-resources means "clean end"; a writer that fails part-way aborts, and its reader gets the
 * failure, after every message sent before it, instead of a stream that looks complete.
 */
public final class AbortIdiom {
  private AbortIdiom() {}

  record Order(long id, String item) {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("abort"));
  }

  static void run(Path dir) throws Exception {
    Path path = dir.resolve("orders.fifo");
    CompletableFuture<Void> reader = Examples.background(() -> receive(path));
    try {
      send(path);
    } catch (IllegalStateException e) {
      System.out.println("writer failed: " + e.getMessage());
    }
    reader.get(30, TimeUnit.SECONDS);
  }

  /** Sends two orders, then fails: the third is out of stock. */
  static void produce(Sender<Order> tx) throws IOException {
    tx.send(new Order(1, "book"));
    tx.send(new Order(2, "pen"));
    throw new IllegalStateException("order 3: out of stock");
  }

  static void send(Path path) throws IOException {
    // README:begin abort-send
    try (Sender<Order> tx = Fifo.openSender(path, JsonCodec.of(Order.class))) {
      try {
        produce(tx);
      } catch (RuntimeException | IOException e) {
        tx.abort(e.toString());          // the reader gets StreamAbortedException with this reason
        throw e;
      }
    }                                    // close() after abort() is a no-op
    // README:end
  }

  static void receive(Path path) throws IOException {
    // README:begin abort-receive
    try (Receiver<Order> rx = Fifo.openReceiver(path, JsonCodec.of(Order.class))) {
      Order o;
      while ((o = rx.receive()) != null) {
        System.out.println("order " + o.id() + " " + o.item());
      }
      System.out.println("complete");
    } catch (StreamAbortedException e) {
      System.out.println("the writer gave up: " + e.reason());
    }
    // README:end
  }
}
