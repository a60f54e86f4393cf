package dev.fifochan.opentelemetry;

import dev.fifochan.Headers;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Trace context in fifochan headers: {@link #inject} writes a context into headers with a
 * {@link TextMapPropagator} (by default W3C trace context: {@code traceparent} and, when not empty,
 * {@code tracestate}, the keys the wire format reserves for it), {@link #extract} reads it back. Values
 * are ASCII, as the propagators write them. A propagator's key that is not a valid header key after
 * lowercasing (1 to 64 characters of {@code a-z 0-9 - . _}) is left out, and so is any {@code fc-} key.
 *
 * <p>For code that receives with {@code receive()} or {@code receiveEnvelope()} and wants its work to join
 * the writer's trace:
 * <pre>{@code
 * Envelope<Order> e = rx.receiveEnvelope();
 * Context writer = TraceHeaders.extract(e.headers());
 * Span span = tracer.spanBuilder("handle order").setParent(writer).startSpan();
 * }</pre>
 */
public final class TraceHeaders {
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      return carrier.keys();
    }

    @Override
    public String get(Headers carrier, String key) {
      if (carrier == null || key == null) {
        return null;
      }
      byte[] v = carrier.get(key.toLowerCase(Locale.ROOT));
      return v == null ? null : new String(v, StandardCharsets.ISO_8859_1);
    }
  };

  private static final TextMapSetter<Headers.Builder> SETTER = (carrier, key, value) -> {
    if (carrier == null || key == null || value == null) {
      return;
    }
    String k = key.toLowerCase(Locale.ROOT);
    if (validKey(k) && !k.startsWith("fc-")) {
      carrier.put(k, value.getBytes(StandardCharsets.UTF_8));
    }
  };

  private TraceHeaders() {}

  /** The W3C trace-context propagator: {@code traceparent}, {@code tracestate}. */
  public static TextMapPropagator w3c() {
    return W3CTraceContextPropagator.getInstance();
  }

  /** The context in {@code headers} (W3C trace context), on top of {@link Context#root()}. */
  public static Context extract(Headers headers) {
    return extract(w3c(), Context.root(), headers);
  }

  /** The context {@code propagator} finds in {@code headers}, on top of {@code base}. */
  public static Context extract(TextMapPropagator propagator, Context base, Headers headers) {
    Objects.requireNonNull(propagator, "propagator");
    Objects.requireNonNull(base, "base");
    if (headers == null || headers.isEmpty()) {
      return base;
    }
    return propagator.extract(base, headers, GETTER);
  }

  /** Headers carrying {@code context} (W3C trace context); empty if it holds no valid span. */
  public static Headers inject(Context context) {
    return inject(w3c(), context);
  }

  /** Headers carrying {@code context} as {@code propagator} writes it. */
  public static Headers inject(TextMapPropagator propagator, Context context) {
    Headers.Builder b = Headers.builder();
    inject(propagator, context, b);
    return b.build();
  }

  /** Adds what {@code propagator} writes for {@code context} to {@code headers}. */
  public static void inject(TextMapPropagator propagator, Context context, Headers.Builder headers) {
    Objects.requireNonNull(propagator, "propagator").inject(Objects.requireNonNull(context, "context"),
        Objects.requireNonNull(headers, "headers"), SETTER);
  }

  private static boolean validKey(String k) {
    if (k.isEmpty() || k.length() > 64) {
      return false;
    }
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
