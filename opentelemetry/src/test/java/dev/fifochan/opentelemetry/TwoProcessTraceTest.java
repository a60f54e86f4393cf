package dev.fifochan.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcResponder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One trace across two processes: a child JVM with its own SDK ({@link TracedPeer}, spans exported to a
 * file) sends, or calls, this JVM, whose SDK records the consumer side with the in-memory exporter. The
 * spans share one trace id and each remote parent is the other process's span.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoProcessTraceTest {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private static Process child(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), TracedPeer.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static String finish(Process p) throws Exception {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not exit");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static SpanFileExporter.Line one(List<SpanFileExporter.Line> lines, String name) {
    List<SpanFileExporter.Line> found = new ArrayList<>();
    for (SpanFileExporter.Line l : lines) {
      if (l.name().equals(name)) {
        found.add(l);
      }
    }
    assertEquals(1, found.size(), name + " in " + lines);
    return found.get(0);
  }

  @Test
  void messagesSentByAnotherProcessAreReceivedInItsTrace() throws Exception {
    try (Otel otel = new Otel()) {
      Path dir = Otel.dir("two-process");
      Path fifo = Fifo.create(dir.resolve("orders"));
      Path spans = dir.resolve("child-spans.txt");
      Process p = child("send", fifo.toString(), "3", spans.toString());
      ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(ChannelTracing.create(otel.sdk)).build();
      Tracer tracer = otel.sdk.getTracer("test");
      List<String> got = new ArrayList<>();
      try (Receiver<String> rx = Fifo.openReceiver(fifo, Codecs.string(), config,
          FifoOptions.builder().openTimeout(Duration.ofSeconds(30)).build())) {
        while (rx.poll((m, h) -> {
          got.add(m);
          tracer.spanBuilder("handle " + m).startSpan().end();
        }, 10, Duration.ofSeconds(30)) >= 0) {
          // until the child's clean end of stream
        }
      }
      finish(p);
      assertEquals(List.of("order 0", "order 1", "order 2"), got);

      List<SpanFileExporter.Line> theirs = SpanFileExporter.Line.read(spans);
      SpanFileExporter.Line produce = one(theirs, "produce");
      List<SpanFileExporter.Line> sends = new ArrayList<>(theirs);
      sends.removeIf(l -> !l.name().equals("send orders"));
      assertEquals(3, sends.size());
      List<SpanData> receives = otel.await("receive orders", 3);
      List<SpanData> processes = otel.await("process orders", 3);
      for (int i = 0; i < 3; i++) {
        SpanFileExporter.Line send = sends.get(i);
        assertEquals("PRODUCER", send.kind());
        assertEquals(produce.spanId(), send.parentSpanId());
        SpanData receive = receives.get(i);
        assertEquals(produce.traceId(), receive.getTraceId(), "one trace id in both processes");
        assertEquals(send.spanId(), receive.getParentSpanId(), "the receive span's parent is the other process's send span");
        assertTrue(receive.getParentSpanContext().isRemote());
        assertEquals(SpanKind.CONSUMER, receive.getKind());
        assertEquals(receive.getSpanId(), processes.get(i).getParentSpanId());
        assertEquals(processes.get(i).getSpanId(), otel.span("handle order " + i).getParentSpanId());
        assertEquals(produce.traceId(), otel.span("handle order " + i).getTraceId());
      }
    }
  }

  @Test
  void aCallFromAnotherProcessIsServedInItsTrace() throws Exception {
    try (Otel otel = new Otel()) {
      Path dir = Otel.dir("two-process-rpc");
      FifoPair pair = FifoPair.of(dir.resolve("req"), dir.resolve("rsp"), FifoOptions.defaults());
      Path spans = dir.resolve("child-spans.txt");
      Tracer tracer = otel.sdk.getTracer("test");
      RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
          .config(RpcConfig.builder().service("quotes").build()).interceptor(RpcTracing.create(otel.sdk))
          .handle("price", String.class, (symbol, call) -> {
            tracer.spanBuilder("lookup " + symbol).startSpan().end();
            return "12.5";
          }).build();
      responder.serve(pair.acceptor(ChannelConfig.defaults()));
      try {
        Process p = child("call", pair.requestPath().toString(), pair.responsePath().toString(), spans.toString());
        assertTrue(finish(p).contains("price 12.5"));
      } finally {
        responder.close();
      }
      List<SpanFileExporter.Line> theirs = SpanFileExporter.Line.read(spans);
      SpanFileExporter.Line checkout = one(theirs, "checkout");
      SpanFileExporter.Line client = one(theirs, "quotes/price");
      assertEquals("CLIENT", client.kind());
      assertEquals(checkout.spanId(), client.parentSpanId());
      SpanData server = otel.await("quotes/price", 1).get(0);
      assertEquals(SpanKind.SERVER, server.getKind());
      assertEquals(checkout.traceId(), server.getTraceId(), "one trace id in both processes");
      assertEquals(client.spanId(), server.getParentSpanId(), "the server span's parent is the other process's client span");
      assertTrue(server.getParentSpanContext().isRemote());
      assertEquals(server.getSpanId(), otel.span("lookup ACME").getParentSpanId());
    }
  }
}
