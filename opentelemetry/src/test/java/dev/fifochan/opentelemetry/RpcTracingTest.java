package dev.fifochan.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RpcTracing} with the real SDK: a client and a responder over a real FIFO pair in one JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcTracingTest {
  private static final Duration D = Duration.ofSeconds(10);
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("rpc.response.status_code");
  private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

  @Test
  void theServerSpanIsTheClientSpansChildAndTheHandlerRunsInsideIt() throws Exception {
    try (Otel otel = new Otel()) {
      Path dir = Otel.dir("rpc");
      FifoPair pair = FifoPair.of(dir.resolve("req"), dir.resolve("rsp"), FifoOptions.defaults());
      RpcConfig config = RpcConfig.builder().service("quotes").build();
      RpcTracing tracing = RpcTracing.create(otel.sdk);
      Tracer tracer = otel.sdk.getTracer("test");
      RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).config(config).interceptor(tracing)
          .handle("price", String.class, (symbol, call) -> {
            if (symbol.equals("NONE")) {
              throw new RpcException(RpcStatus.NOT_FOUND, "no such symbol");
            }
            tracer.spanBuilder("lookup " + symbol).startSpan().end();
            return "12.5";
          })
          .handle("crash", String.class, (s, call) -> {
            throw new IllegalStateException("bug");
          })
          .build();
      responder.serve(pair.acceptor(ChannelConfig.defaults()));
      try (RpcClient<String> client = RpcClient.builder(pair.connector(ChannelConfig.defaults()), Codecs.string())
          .config(config).interceptor(tracing).build()) {
        Span checkout = tracer.spanBuilder("checkout").startSpan();
        try (Scope ignored = checkout.makeCurrent()) {
          assertEquals("12.5", client.callBlocking("price", "ACME", String.class, D));
          assertEquals(RpcStatus.NOT_FOUND,
              assertThrows(RpcException.class, () -> client.callBlocking("price", "NONE", String.class, D)).status());
          assertEquals(RpcStatus.UNKNOWN,
              assertThrows(RpcException.class, () -> client.callBlocking("crash", "x", String.class, D)).status());
          assertEquals(RpcStatus.UNIMPLEMENTED,
              assertThrows(RpcException.class, () -> client.callBlocking("volume", "x", String.class, D)).status());
        } finally {
          checkout.end();
        }
      } finally {
        responder.close();
      }
      SpanData root = otel.span("checkout");
      List<SpanData> clients = otel.spans("quotes/price");
      clients.removeIf(s -> s.getKind() != SpanKind.CLIENT);
      List<SpanData> servers = otel.await("quotes/price", 4);
      servers.removeIf(s -> s.getKind() != SpanKind.SERVER);
      assertEquals(2, clients.size());
      assertEquals(2, servers.size());
      for (int i = 0; i < 2; i++) {
        SpanData c = clients.get(i);
        SpanData s = servers.get(i);
        assertEquals(root.getTraceId(), c.getTraceId());
        assertEquals(root.getSpanId(), c.getParentSpanId());
        assertEquals(c.getTraceId(), s.getTraceId(), "one trace across the FIFO pair");
        assertEquals(c.getSpanId(), s.getParentSpanId(), "the server span is the client span's child");
        assertTrue(s.getParentSpanContext().isRemote());
        for (SpanData x : List.of(c, s)) {
          assertEquals("fifochan", x.getAttributes().get(AttributeKey.stringKey("rpc.system.name")));
          assertEquals("quotes/price", x.getAttributes().get(METHOD));
          assertEquals("quotes", x.getAttributes().get(AttributeKey.stringKey("server.address")));
        }
      }
      SpanData lookup = otel.span("lookup ACME");
      assertEquals(servers.get(0).getSpanId(), lookup.getParentSpanId(), "the handler ran inside the server span");
      assertEquals("OK", clients.get(0).getAttributes().get(STATUS));
      assertEquals("OK", servers.get(0).getAttributes().get(STATUS));
      for (SpanData x : List.of(clients.get(1), servers.get(1))) {
        assertEquals(StatusCode.ERROR, x.getStatus().getStatusCode());
        assertEquals("NOT_FOUND", x.getAttributes().get(STATUS));
        assertEquals("NOT_FOUND", x.getAttributes().get(ERROR));
      }
      SpanData crashServer = otel.spans("quotes/crash").stream().filter(s -> s.getKind() == SpanKind.SERVER)
          .findFirst().orElseThrow();
      assertEquals("UNKNOWN", crashServer.getAttributes().get(ERROR));
      assertEquals("exception", crashServer.getEvents().get(0).getName(), "an unexpected exception is recorded");
      List<SpanData> volume = otel.spans("quotes/volume");
      assertEquals(2, volume.size(), "a refused call has a server span too: " + otel.names());
      for (SpanData v : volume) {
        assertEquals("UNIMPLEMENTED", v.getAttributes().get(ERROR));
      }
    }
  }
}
