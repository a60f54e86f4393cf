package dev.fifochan.opentelemetry;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real OpenTelemetry SDK with its in-memory exporter, and helpers to find spans. */
final class Otel implements AutoCloseable {
  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .build();

  List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** The one finished span named {@code name}. */
  SpanData span(String name) {
    List<SpanData> found = spans(name);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " spans named '" + name + "' in " + names());
    }
    return found.get(0);
  }

  List<SpanData> spans(String name) {
    List<SpanData> found = new ArrayList<>();
    for (SpanData s : spans()) {
      if (s.getName().equals(name)) {
        found.add(s);
      }
    }
    return found;
  }

  /** Waits up to 10 s for {@code n} finished spans named {@code name}. */
  List<SpanData> await(String name, int n) throws InterruptedException {
    for (int i = 0; i < 1000 && spans(name).size() < n; i++) {
      Thread.sleep(10);
    }
    List<SpanData> found = spans(name);
    if (found.size() < n) {
      throw new AssertionError("waited for " + n + " spans named '" + name + "'; finished: " + names());
    }
    return found;
  }

  List<String> names() {
    List<String> names = new ArrayList<>();
    for (SpanData s : spans()) {
      names.add(s.getName() + "/" + s.getKind());
    }
    return names;
  }

  static boolean isKind(SpanData s, SpanKind kind) {
    return s.getKind() == kind;
  }

  @Override
  public void close() {
    sdk.close();
  }

  /** A fresh directory for a test's FIFOs, under the build directory. */
  static Path dir(String name) throws java.io.IOException {
    Path base = Path.of(System.getProperty("fifochan.otel.buildDir", "target"), "fifos");
    Files.createDirectories(base);
    return Files.createTempDirectory(base, name + "-");
  }
}
