package dev.fifochan.opentelemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The child JVM's exporter: one line per finished span, {@code name|kind|traceId|spanId|parentSpanId|remote},
 * appended to a file the parent reads after the child exits.
 */
final class SpanFileExporter implements SpanExporter {
  private final Path file;

  SpanFileExporter(Path file) {
    this.file = file;
  }

  @Override
  public synchronized CompletableResultCode export(Collection<SpanData> spans) {
    List<String> lines = new ArrayList<>();
    for (SpanData s : spans) {
      lines.add(String.join("|", s.getName(), s.getKind().name(), s.getTraceId(), s.getSpanId(), s.getParentSpanId(),
          Boolean.toString(s.getParentSpanContext().isRemote())));
    }
    try {
      Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /** A span as the child wrote it. */
  record Line(String name, String kind, String traceId, String spanId, String parentSpanId, boolean remote) {
    static List<Line> read(Path file) throws IOException {
      List<Line> out = new ArrayList<>();
      for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = l.split("\\|");
        out.add(new Line(f[0], f[1], f[2], f[3], f[4], Boolean.parseBoolean(f[5])));
      }
      return out;
    }
  }
}
