package dev.fifochan.examples;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.PeerGoneException;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import dev.fifochan.rpc.RpcStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Request/response over a pair of FIFOs: a responder (e.g. a sidecar) and a client, here in one JVM. */
public final class RequestResponse {
  private RequestResponse() {}

  public static void main(String[] args) throws Exception {
    run(Examples.newDir("rpc"));
  }

  static void run(Path dir) throws Exception {
    Map<String, String> quotes = Map.of("ACME", "12.5", "INIT", "3.25");
    // README:begin rpc-responder
    FifoPair pair = FifoPair.of(dir.resolve("quotes.req"), dir.resolve("quotes.rsp"), FifoOptions.defaults());
    RpcConfig config = RpcConfig.builder().service("quotes").build();

    RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
        .config(config)
        .handle("price", String.class, (symbol, call) -> {
          String price = quotes.get(symbol);
          if (price == null) {
            throw new RpcException(RpcStatus.NOT_FOUND, "no symbol " + symbol);
          }
          return price;
        })
        .handleStream("ticks", String.class, (symbol, call, items) -> {
          for (int i = 1; i <= 3 && !call.isCancelled(); i++) {
            items.send(symbol + " tick " + i);
          }
        })
        .build();
    responder.serve(pair.acceptor(ChannelConfig.defaults()));   // a thread accepts and serves connections
    // README:end
    try {
      // README:begin rpc-client
      try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
          .config(config)
          .build()) {
        System.out.println("ACME " + client.callBlocking("price", "ACME", String.class, Duration.ofSeconds(5)));
        try {
          client.callBlocking("price", "NONE", String.class, Duration.ofSeconds(5));
        } catch (RpcException e) {
          System.out.println(e.status() + ": " + e.statusMessage());   // NOT_FOUND: no symbol NONE
        }
        try (RpcStream<String> ticks = client.callStream("ticks", "INIT", String.class, Duration.ofSeconds(5))) {
          for (String tick : ticks) {
            System.out.println(tick);
          }
        }
      } catch (PeerGoneException e) {
        if (!e.requestWritten()) {
          System.out.println("not sent: safe to retry");
        }
      }
      // README:end
    } finally {
      responder.close();                                           // drains the calls in flight
    }
  }
}
