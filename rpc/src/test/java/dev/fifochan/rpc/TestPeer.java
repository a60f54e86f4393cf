package dev.fifochan.rpc;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The responder the tests run in a child JVM, over the FIFO pair {@code DIR/req} and {@code DIR/rsp}
 * (and {@code DIR/req2}, {@code DIR/rsp2}: a second connection at once) with the {@code string} codec.
 * Arguments: {@code DIR [service=S] [heartbeat=MS] [liveness=MS]}. Prints
 * {@code READY}, then one line per event the tests wait for; reads commands from stdin
 * ({@code release}: open the latch; {@code shutdown MS}: graceful shutdown, then exit).
 */
public final class TestPeer {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private TestPeer() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    RpcConfig.Builder cb = RpcConfig.builder();
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      switch (kv[0]) {
        case "service":
          cb.service(kv[1]);
          break;
        case "heartbeat":
          cb.heartbeatInterval(Duration.ofMillis(Long.parseLong(kv[1])));
          break;
        case "liveness":
          cb.livenessTimeout(Duration.ofMillis(Long.parseLong(kv[1])));
          break;
        default:
          throw new IllegalArgumentException(args[i]);
      }
    }
    CountDownLatch latch = new CountDownLatch(1);
    AtomicInteger entered = new AtomicInteger();
    RpcResponder.Builder<String> b = RpcResponder.builder(Codecs.string())
        .config(cb.build())
        .executor(Executors.newCachedThreadPool(r -> {
          Thread t = new Thread(r);
          t.setDaemon(true);
          return t;
        }))
        .listener(new ConnectionListener() {
          @Override
          public void connected(RpcPeer peer) {
            OUT.println("CONNECTED");
          }

          @Override
          public void disconnected(RpcPeer peer, Throwable cause) {
            if (cause instanceof HandshakeException) {
              HandshakeException h = (HandshakeException) cause;
              OUT.println("HANDSHAKE-FAILED " + h.field() + " local=" + h.localValue() + " remote=" + h.remoteValue()
                  + " byPeer=" + h.detectedByPeer() + " | " + h.getMessage());
            } else {
              OUT.println("DISCONNECTED " + (cause == null ? "" : cause.getMessage()));
            }
          }
        });
    TestOps.register(b, latch, entered, OUT::println);
    RpcResponder<String> responder = b.build();
    // two FIFO pairs: one responder serving two connections at once
    responder.serve(FifoPair.of(dir.resolve("req"), dir.resolve("rsp"), FifoOptions.defaults())
        .acceptor(ChannelConfig.defaults()));
    responder.serve(FifoPair.of(dir.resolve("req2"), dir.resolve("rsp2"), FifoOptions.defaults())
        .acceptor(ChannelConfig.defaults()));
    OUT.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("release")) {
        latch.countDown();
      } else if (line.startsWith("shutdown")) {
        boolean drained = responder.shutdown(Duration.ofMillis(Long.parseLong(line.substring(9).trim())));
        OUT.println("SHUTDOWN drained=" + drained + " " + responder.metrics());
        System.exit(0);
      } else if (line.startsWith("notify ")) {
        for (RpcPeer p : responder.peers()) {
          p.notify("news", line.substring(7), Duration.ofSeconds(5));
        }
        OUT.println("NOTIFIED");
      } else if (line.equals("metrics")) {
        OUT.println("METRICS " + responder.metrics());
      }
    }
    System.exit(0);
  }
}
