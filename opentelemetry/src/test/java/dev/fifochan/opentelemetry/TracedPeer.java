package dev.fifochan.opentelemetry;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The other process of {@link TwoProcessTraceTest}: its own OpenTelemetry SDK exporting to a file, and
 * either a traced sender ({@code send FIFO SPANS N}) or a traced request/response client
 * ({@code call REQUEST_FIFO RESPONSE_FIFO SPANS}), each inside a root span of its own.
 */
public final class TracedPeer {
  private TracedPeer() {}

  public static void main(String[] args) throws Exception {
    Path spans = Path.of(args[args.length - 1]);
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanFileExporter(spans))).build())
        .build();
    Tracer tracer = sdk.getTracer("traced-peer");
    FifoOptions options = FifoOptions.builder().openTimeout(Duration.ofSeconds(30)).build();
    try {
      if (args[0].equals("send")) {
        int n = Integer.parseInt(args[2]);
        ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(ChannelTracing.create(sdk)).build();
        Span produce = tracer.spanBuilder("produce").startSpan();
        try (Scope ignored = produce.makeCurrent();
            Sender<String> tx = Fifo.openSender(Path.of(args[1]), Codecs.string(), config, options)) {
          for (int i = 0; i < n; i++) {
            tx.send("order " + i);
          }
        } finally {
          produce.end();
        }
      } else {
        FifoPair pair = FifoPair.of(Path.of(args[1]), Path.of(args[2]), options);
        try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
            .config(RpcConfig.builder().service("quotes").build()).interceptor(RpcTracing.create(sdk)).build()) {
          Span checkout = tracer.spanBuilder("checkout").startSpan();
          try (Scope ignored = checkout.makeCurrent()) {
            System.out.println("price " + client.callBlocking("price", "ACME", String.class, Duration.ofSeconds(30)));
          } finally {
            checkout.end();
          }
        }
      }
    } finally {
      sdk.close();
    }
  }
}
