package dev.fifochan.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.EncodeException;
import dev.fifochan.Envelope;
import dev.fifochan.Headers;
import dev.fifochan.PayloadSink;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.WireVersion;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ChannelTracing} with the real SDK over real FIFOs in one JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelTracingTest {
  private static final FifoOptions OPTIONS = FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build();

  interface Reading<T> {
    T read(Receiver<String> rx) throws Exception;
  }

  /** Sends {@code messages} inside a span "produce", and reads them on another thread with {@code reading}. */
  private static <T> T exchange(Otel otel, ChannelConfig config, List<String> messages, Reading<T> reading)
      throws Exception {
    Path fifo = Fifo.create(Otel.dir("channel").resolve("orders"));
    CompletableFuture<T> read = CompletableFuture.supplyAsync(() -> {
      try (Receiver<String> rx = Fifo.openReceiver(fifo, Codecs.string(), config, OPTIONS)) {
        return reading.read(rx);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Tracer tracer = otel.sdk.getTracer("test");
    Span produce = tracer.spanBuilder("produce").startSpan();
    try (Scope ignored = produce.makeCurrent();
        Sender<String> tx = Fifo.openSender(fifo, Codecs.string(), config, OPTIONS)) {
      for (String m : messages) {
        tx.send(m);
      }
    } finally {
      produce.end();
    }
    return read.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aPolledMessageJoinsTheSendersTraceAndTheHandlerRunsInsideIt() throws Exception {
    try (Otel otel = new Otel()) {
      ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(ChannelTracing.create(otel.sdk)).build();
      Tracer tracer = otel.sdk.getTracer("test");
      List<String> traceparents = exchange(otel, config, List.of("o-1"), rx -> {
        List<String> seen = new ArrayList<>();
        while (rx.poll((m, h) -> {
          seen.add(h.getString("traceparent"));
          tracer.spanBuilder("handle " + m).startSpan().end(); // the handler's own work
        }, 10, Duration.ofSeconds(10)) >= 0) {
          // to the writer's clean end of stream
        }
        return seen;
      });
      SpanData produce = otel.span("produce");
      SpanData send = otel.span("send orders");
      SpanData receive = otel.await("receive orders", 1).get(0);
      SpanData process = otel.await("process orders", 1).get(0);
      SpanData handle = otel.span("handle o-1");
      String trace = produce.getTraceId();
      for (SpanData s : List.of(send, receive, process, handle)) {
        assertEquals(trace, s.getTraceId(), s.getName() + " is in the producer's trace");
      }
      assertEquals(SpanKind.PRODUCER, send.getKind());
      assertEquals(produce.getSpanId(), send.getParentSpanId());
      assertEquals(SpanKind.CONSUMER, receive.getKind());
      assertEquals(send.getSpanId(), receive.getParentSpanId(), "the creation context is the receive span's parent");
      assertTrue(receive.getParentSpanContext().isRemote());
      assertEquals(send.getSpanId(), receive.getLinks().get(0).getSpanContext().getSpanId(), "and a link");
      assertEquals(SpanKind.INTERNAL, process.getKind());
      assertEquals(receive.getSpanId(), process.getParentSpanId());
      assertEquals(send.getSpanId(), process.getLinks().get(0).getSpanContext().getSpanId());
      assertEquals(process.getSpanId(), handle.getParentSpanId(), "the handler ran inside the process span");
      String traceparent = traceparents.get(0);
      assertTrue(traceparent.startsWith("00-" + trace + "-" + send.getSpanId() + "-"), "W3C traceparent: " + traceparent);
      assertEquals(1, Integer.parseInt(traceparent.substring(53), 16) & 1, "sampled: " + traceparent);

      assertEquals("fifochan", send.getAttributes().get(AttributeKey.stringKey("messaging.system")));
      assertEquals("send", send.getAttributes().get(AttributeKey.stringKey("messaging.operation.name")));
      assertEquals("send", send.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")));
      assertEquals("orders", send.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
      assertEquals("receive", receive.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")));
      assertEquals("process", process.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")));
      assertEquals(StatusCode.UNSET, send.getStatus().getStatusCode());
    }
  }

  @Test
  void pulledMessagesEachGetAReceiveSpanWhoseParentIsTheirSendSpan() throws Exception {
    try (Otel otel = new Otel()) {
      ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(ChannelTracing.create(otel.sdk)).build();
      List<String> got = exchange(otel, config, List.of("a", "b", "c"), rx -> {
        List<String> out = new ArrayList<>();
        for (String s : rx) {
          out.add(s);
        }
        return out;
      });
      assertEquals(List.of("a", "b", "c"), got);
      List<SpanData> sends = otel.spans("send orders");
      List<SpanData> receives = otel.await("receive orders", 3);
      assertEquals(3, sends.size());
      for (int i = 0; i < 3; i++) {
        assertEquals(sends.get(i).getSpanId(), receives.get(i).getParentSpanId());
      }
      assertTrue(otel.spans("process orders").isEmpty(), "no handler, no process span");
    }
  }

  @Test
  void aTraceparentTheCallerSetIsLeftAsItIsAndLinked() throws Exception {
    try (Otel otel = new Otel()) {
      ChannelTracing tracing = ChannelTracing.create(otel.sdk);
      ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(tracing).build();
      String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      Path fifo = Fifo.create(Otel.dir("custom").resolve("orders"));
      CompletableFuture<Envelope<String>> read = CompletableFuture.supplyAsync(() -> {
        try (Receiver<String> rx = Fifo.openReceiver(fifo, Codecs.string(), config, OPTIONS)) {
          Envelope<String> first = rx.receiveEnvelope();
          while (rx.receive() != null) {
            // to the end of the stream
          }
          return first;
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      try (Sender<String> tx = Fifo.openSender(fifo, Codecs.string(), config, OPTIONS)) {
        tx.send("mine", Headers.of("traceparent", own, "content-type", "text/plain"));
      }
      Envelope<String> e = read.get(30, TimeUnit.SECONDS);
      assertEquals(own, e.headers().getString("traceparent"));
      assertEquals("text/plain", e.headers().getString("content-type"));
      SpanData send = otel.span("send orders");
      assertEquals("b7ad6b7169203331", send.getLinks().get(0).getSpanContext().getSpanId());
      assertEquals("b7ad6b7169203331", otel.await("receive orders", 1).get(0).getParentSpanId());
      assertEquals("0af7651916cd43dd8448eb211c80319c",
          Span.fromContext(TraceHeaders.extract(e.headers())).getSpanContext().getTraceId());
    }
  }

  @Test
  void aFailedSendIsAnErrorSpan() throws Exception {
    try (Otel otel = new Otel()) {
      Codec<String> picky = new Codec<>() {
        @Override
        public String name() {
          return "string";
        }

        @Override
        public void encode(String value, PayloadSink sink) throws IOException {
          if (value.isEmpty()) {
            throw new IllegalArgumentException("empty");
          }
          sink.write(value.getBytes(StandardCharsets.UTF_8), 0, value.length());
        }

        @Override
        public String decode(String tag, ByteBuffer payload) {
          return StandardCharsets.UTF_8.decode(payload).toString();
        }
      };
      ChannelConfig config = ChannelConfig.builder().name("picky").interceptors(ChannelTracing.create(otel.sdk)).build();
      Path file = Otel.dir("fail").resolve("stream");
      try (Sender<String> tx = Sender.over(FileChannel.open(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), picky, config)) {
        assertThrows(EncodeException.class, () -> tx.send(""));
        tx.send("fine");
      }
      List<SpanData> sends = otel.spans("send picky");
      assertEquals(2, sends.size());
      assertEquals(StatusCode.ERROR, sends.get(0).getStatus().getStatusCode());
      assertEquals(EncodeException.class.getName(), sends.get(0).getAttributes().get(AttributeKey.stringKey("error.type")));
      assertEquals(StatusCode.UNSET, sends.get(1).getStatus().getStatusCode());
    }
  }

  /** The bytes a sender writes for {@code messages} into a file, traced or not, in {@code version}. */
  private static byte[] record(Otel otel, WireVersion version, boolean traced, String name) throws Exception {
    ChannelConfig.Builder b = ChannelConfig.builder().name("legacy").wireVersion(version);
    if (traced) {
      b.interceptors(ChannelTracing.create(otel.sdk));
    }
    Path file = Otel.dir("record").resolve(name);
    Tracer tracer = otel.sdk.getTracer("test");
    Span produce = tracer.spanBuilder("produce").startSpan();
    try (Scope ignored = produce.makeCurrent();
        Sender<String> tx = Sender.over(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            Codecs.string(), b.build())) {
      for (int i = 0; i < 100; i++) {
        tx.send("message " + i);
      }
    } finally {
      produce.end();
    }
    return Files.readAllBytes(file);
  }

  @Test
  void inWireFormat10TracingAddsNothingToTheStream() throws Exception {
    try (Otel otel = new Otel()) {
      byte[] plain = record(otel, WireVersion.V1_0, false, "plain");
      byte[] traced = record(otel, WireVersion.V1_0, true, "traced");
      assertArrayEquals(plain, traced, "a traced 1.0 sender writes exactly what an untraced one writes");
      assertEquals(100, otel.spans("send legacy").size(), "the send spans are still recorded locally");
      assertFalse(new String(traced, StandardCharsets.ISO_8859_1).contains("traceparent"));
      byte[] traced11 = record(otel, WireVersion.V1_1, true, "traced11");
      assertTrue(new String(traced11, StandardCharsets.ISO_8859_1).contains("traceparent"), "1.1 carries it");
      // a 1.0 stream read by a traced receiver: messages arrive, receive spans start new traces
      ChannelConfig rxConfig = ChannelConfig.builder().name("legacy").interceptors(ChannelTracing.create(otel.sdk)).build();
      Path file = Otel.dir("replay").resolve("legacy");
      Files.write(file, traced);
      int n = 0;
      try (Receiver<String> rx = Receiver.over(FileChannel.open(file), Codecs.string(), rxConfig)) {
        for (Envelope<String> e; (e = rx.receiveEnvelope()) != null; n++) {
          assertTrue(e.headers().isEmpty());
        }
      }
      assertEquals(100, n);
      for (SpanData r : otel.await("receive legacy", 100)) {
        assertTrue(r.getLinks().isEmpty());
      }
    }
  }
}
