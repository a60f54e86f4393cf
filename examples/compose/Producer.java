import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Headers;
import dev.fifochan.Sender;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.nats.Nats;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.nats.NatsOptions;
import io.nats.client.Connection;

/**
 * Host A of the Compose example: sends {@code COUNT} JSON messages {"seq":i,"text":"ping-i"} to the
 * subject {@code orders} over JetStream, each with the headers the Go peer checks ("n" = i; for
 * i % 100 == 0 also "bin" = 00 E9 0A and "u" = "café-i"), then closes the session cleanly (close()
 * waits until the stream has acknowledged every message).
 *
 * <p>Environment: NATS_URL (default nats://127.0.0.1:4222), SUBJECT (orders), COUNT (100000).
 * Prints "SENT n in ms" and exits 0, or prints the failure and exits 1.
 */
public final class Producer {
  public static void main(String[] args) throws Exception {
    String url = System.getenv().getOrDefault("NATS_URL", "nats://127.0.0.1:4222");
    String subject = System.getenv().getOrDefault("SUBJECT", "orders");
    int count = Integer.parseInt(System.getenv().getOrDefault("COUNT", "100000"));
    JsonNodeFactory json = JsonNodeFactory.instance;
    long start = System.nanoTime();
    try (Connection nc = NatsConnectOptions.server(url).connect();
         Sender<JsonNode> tx = Nats.openSender(nc, subject, JsonCodec.tree(), ChannelConfig.defaults(),
             NatsOptions.jetStream())) {
      for (int i = 0; i < count; i++) {
        Headers.Builder h = Headers.builder().put("n", Integer.toString(i));
        if (i % 100 == 0) {
          h.put("bin", new byte[] {0, (byte) 0xE9, 0x0A}).put("u", "café-" + i);
        }
        tx.send(json.objectNode().put("seq", i).put("text", "ping-" + i), h.build());
      }
    } catch (Exception e) {
      System.out.println("FAILED " + e);
      e.printStackTrace();
      System.exit(1);
    }
    System.out.printf("SENT %d in %d ms%n", count, (System.nanoTime() - start) / 1_000_000);
  }
}
