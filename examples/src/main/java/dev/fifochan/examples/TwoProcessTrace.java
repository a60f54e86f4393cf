package dev.fifochan.examples;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.opentelemetry.ChannelTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One trace across two processes: this JVM starts a second one that sends orders inside its own
 * "checkout" span; this one receives them and does its work inside the trace the sender started. Each
 * process has its own OpenTelemetry SDK (here printing its finished spans; in real life an OTLP exporter);
 * the context crosses the FIFO in each frame's headers (W3C traceparent).
 */
public final class TwoProcessTrace {
  private TwoProcessTrace() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("sender")) {
      sender(Path.of(args[1]));
      return;
    }
    run(Examples.newDir("trace"));
  }

  static void run(Path dir) throws Exception {
    Path path = Fifo.create(dir.resolve("orders.fifo"));
    Process sender = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TwoProcessTrace.class.getName(), "sender", path.toString())
        .redirectErrorStream(true).start();
    receiver(path);
    try (BufferedReader out = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        System.out.println("[sender] " + line);
      }
    }
    if (!sender.waitFor(30, TimeUnit.SECONDS) || sender.exitValue() != 0) {
      throw new IllegalStateException("the sender process failed");
    }
  }

  /** An SDK that prints each finished span (an OTLP exporter would send them to a collector). */
  static OpenTelemetrySdk sdk() {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new Printer())).build())
        .build();
  }

  static ChannelConfig tracedConfig(OpenTelemetry otel) {
    // README:begin tracing-config
    ChannelConfig config = ChannelConfig.builder()
        .name("orders")                              // the destination in span names: give both ends the same
        .interceptors(ChannelTracing.create(otel))   // spans, and W3C traceparent in each frame's headers
        .build();
    // README:end
    return config;
  }

  /** The other process. */
  static void sender(Path path) throws Exception {
    try (OpenTelemetrySdk otel = sdk()) {
      ChannelConfig config = tracedConfig(otel);
      // README:begin tracing-sender
      Tracer tracer = otel.getTracer("shop");
      Span checkout = tracer.spanBuilder("checkout").startSpan();
      try (Scope ignored = checkout.makeCurrent();
          Sender<String> tx = Fifo.openSender(path, Codecs.string(), config)) {
        tx.send("order 1");                          // a "send orders" span, child of checkout
        tx.send("order 2");
      } finally {
        checkout.end();
      }
      // README:end
    }
  }

  static void receiver(Path path) throws Exception {
    try (OpenTelemetrySdk otel = sdk()) {
      ChannelConfig config = tracedConfig(otel);
      // README:begin tracing-receiver
      Tracer tracer = otel.getTracer("warehouse");
      try (Receiver<String> rx = Fifo.openReceiver(path, Codecs.string(), config)) {
        // each message: "receive orders", a child of the sender's span, then "process orders" around the handler
        while (rx.poll((order, headers) -> {
          Span pick = tracer.spanBuilder("pick " + order).startSpan();   // in the sender's trace
          pick.end();
        }, 100, Duration.ofSeconds(30)) >= 0) {
          // until the sender's clean end of stream
        }
      }
      // README:end
    }
  }

  /** Prints {@code span NAME kind=K trace=T span=S parent=P}, one line per finished span. */
  static final class Printer implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      for (SpanData s : List.copyOf(spans)) {
        System.out.println("span " + s.getName() + " kind=" + s.getKind() + " trace=" + s.getTraceId() + " span="
            + s.getSpanId() + " parent=" + s.getParentSpanId());
      }
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
