package dev.fifochan.opentelemetry;

import dev.fifochan.ChannelInfo;
import dev.fifochan.ChannelInterceptor;
import dev.fifochan.Headers;
import dev.fifochan.SendStatus;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Traces the messages of the senders and receivers whose {@link dev.fifochan.ChannelConfig} carries it:
 * a {@link ChannelInterceptor} that follows the OpenTelemetry semantic conventions for messaging spans
 * and carries the trace context in per-frame headers (W3C {@code traceparent}/{@code tracestate}), so one
 * trace spans the writing and the reading process.
 *
 * <pre>{@code
 * ChannelTracing tracing = ChannelTracing.create(openTelemetry);
 * ChannelConfig config = ChannelConfig.builder().name("orders").interceptors(tracing).build();
 * Sender<Order> tx = Fifo.openSender(path, codec, config);        // each send: a PRODUCER span, its context in the frame
 * Receiver<Order> rx = Fifo.openReceiver(path, codec, config);    // each message: a CONSUMER span, child of the sender's
 * rx.poll((order, headers) -> handle(order), 100, timeout);       // handle(...) runs inside a "process" span
 * }</pre>
 *
 * <h2>Spans</h2>
 * <table class="striped">
 * <caption>Spans</caption>
 * <thead><tr><th>when</th><th>name</th><th>kind</th><th>parent</th><th>links</th></tr></thead>
 * <tbody>
 * <tr><td>each {@code send}/{@code offer}, from before encoding to its outcome</td><td>{@code send <channel>}</td>
 *     <td>PRODUCER</td><td>the current context</td><td>a trace context the caller put in the headers itself</td></tr>
 * <tr><td>each message delivered ({@code receive}, iteration, {@code poll}, {@code pollFrames})</td>
 *     <td>{@code receive <channel>}</td><td>CONSUMER</td><td>the message's creation context (the sender's span)
 *     if it carries one, else the current context</td><td>the creation context</td></tr>
 * <tr><td>each handler call of {@code poll}/{@code pollFrames}; current while the handler runs</td>
 *     <td>{@code process <channel>}</td><td>INTERNAL</td><td>that message's receive span</td>
 *     <td>the creation context</td></tr>
 * </tbody>
 * </table>
 *
 * <p>{@code <channel>} is the destination, {@link ChannelInfo#name()}: the {@code ChannelConfig.name()}
 * (give both ends the same name) or, without one, the transport's description. Every span has
 * {@code messaging.system=fifochan}, {@code messaging.operation.name} and {@code messaging.operation.type}
 * ({@code send}, {@code receive}, {@code process}) and {@code messaging.destination.name}. A send that
 * failed or an offer that was not accepted has status ERROR and {@code error.type}: the exception's class
 * name, or the {@link SendStatus} ({@code BACK_PRESSURED}, {@code NOT_CONNECTED}, {@code CLOSED}). A
 * single-message receive uses the creation context as its parent, as the conventions allow, so the
 * trace is one; it also links to it, as they ask. Because a receiver tells the interceptor after the
 * message arrived, a receive span marks the delivery (its duration is the interceptor's), not the wait.
 *
 * <h2>Headers and wire format 1.0</h2>
 * The send span's context is injected with the propagator (default: W3C trace context only; see
 * {@link Builder#propagator}). If the caller's headers carry a {@code traceparent} already, that context is
 * left as it is (the conventions' "custom creation context") and the send span links to it. In wire
 * format 1.0 no frame can carry headers ({@link ChannelInfo#headersAllowed()} is false): nothing is
 * injected, and the bytes on the wire are exactly those of an untraced sender; the send span is still
 * recorded locally.
 *
 * <p>For request/response use {@link RpcTracing} on the client and responder, not this interceptor on
 * their {@code RpcConfig.channel()}: that would make a messaging span of every protocol frame.
 *
 * <p>Instances are immutable and thread-safe; one may serve every channel of a process. The spans of one
 * {@code send} live in a thread-local between {@code beforeSend} and {@code afterSend}, which the sender
 * calls on the same thread.
 */
public final class ChannelTracing implements ChannelInterceptor {
  /** The instrumentation scope name of the tracers this module makes. */
  public static final String INSTRUMENTATION_NAME = "dev.fifochan.opentelemetry";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final ThreadLocal<ArrayDeque<Span>> sending = ThreadLocal.withInitial(ArrayDeque::new);
  private final ThreadLocal<Received> received = new ThreadLocal<>();

  private ChannelTracing(Builder b) {
    this.tracer = b.openTelemetry.getTracer(INSTRUMENTATION_NAME, Version.VERSION);
    this.propagator = b.propagator;
  }

  /** Tracing with {@code openTelemetry}'s tracer provider and W3C trace context in the headers. */
  public static ChannelTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** A builder using {@code openTelemetry}'s tracer provider. */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  // ---------------------------------------------------------------- sending

  @Override
  public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
    Context parent = Context.current();
    SpanBuilder b = tracer.spanBuilder("send " + channel.name())
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent);
    common(b, channel, "send");
    boolean custom = headers != null && headers.containsKey("traceparent");
    if (custom) {
      SpanContext given = Span.fromContext(TraceHeaders.extract(propagator, Context.root(), headers)).getSpanContext();
      if (given.isValid()) {
        b.addLink(given);
      }
    }
    Span span = b.startSpan();
    sending.get().push(span);
    if (custom || !channel.headersAllowed()) {
      return null;
    }
    Headers h = TraceHeaders.inject(propagator, parent.with(span));
    return h.isEmpty() ? null : h;
  }

  @Override
  public void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {
    ArrayDeque<Span> stack = sending.get();
    Span span = stack.poll();
    if (stack.isEmpty()) {
      sending.remove();
    }
    if (span == null) {
      return;
    }
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      span.setAttribute(Semconv.ERROR_TYPE, failure.getClass().getName());
      span.recordException(failure);
    } else if (result < 0) {
      span.setStatus(StatusCode.ERROR, "not accepted");
      span.setAttribute(Semconv.ERROR_TYPE, SendStatus.of(result).name());
    }
    span.end();
  }

  // ---------------------------------------------------------------- receiving

  @Override
  public void afterReceive(ChannelInfo channel, Object message, Headers headers) {
    SpanContext creation = creationOf(headers);
    SpanBuilder b = tracer.spanBuilder("receive " + channel.name())
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(creation.isValid() ? Context.root().with(Span.wrap(creation)) : Context.current());
    common(b, channel, "receive");
    if (creation.isValid()) {
      b.addLink(creation);
    }
    Span span = b.startSpan();
    span.end();
    // poll and pollFrames open the handler's scope next, on this thread, with the same message and headers
    received.set(new Received(channel, message, headers, span, creation));
  }

  @Override
  public Scope openScope(ChannelInfo channel, Object message, Headers headers) {
    Received r = received.get();
    received.remove();
    Context parent;
    SpanContext creation;
    SpanKind kind;
    if (r != null && r.matches(channel, message, headers)) {
      parent = Context.root().with(r.span);
      creation = r.creation;
      kind = SpanKind.INTERNAL; // the receive span is the CONSUMER span of this message
    } else {
      creation = creationOf(headers);
      parent = creation.isValid() ? Context.root().with(Span.wrap(creation)) : Context.current();
      kind = SpanKind.CONSUMER;
    }
    SpanBuilder b = tracer.spanBuilder("process " + channel.name()).setSpanKind(kind).setParent(parent);
    common(b, channel, "process");
    if (creation.isValid()) {
      b.addLink(creation);
    }
    Span span = b.startSpan();
    io.opentelemetry.context.Scope current = parent.with(span).makeCurrent();
    return () -> {
      current.close();
      span.end();
    };
  }

  private SpanContext creationOf(Headers headers) {
    return Span.fromContext(TraceHeaders.extract(propagator, Context.root(), headers)).getSpanContext();
  }

  private static void common(SpanBuilder b, ChannelInfo channel, String operation) {
    b.setAttribute(Semconv.MESSAGING_SYSTEM, Semconv.SYSTEM)
        .setAttribute(Semconv.MESSAGING_OPERATION_NAME, operation)
        .setAttribute(Semconv.MESSAGING_OPERATION_TYPE, operation)
        .setAttribute(Semconv.MESSAGING_DESTINATION_NAME, channel.name());
  }

  @Override
  public String toString() {
    return "ChannelTracing[" + propagator + "]";
  }

  /**
   * The receive span of the message just delivered on this thread, for the handler scope that may follow
   * (poll and pollFrames call openScope right after afterReceive, with the same message and headers). The
   * message and headers are held weakly and compared by identity: after a pull receive, which opens no
   * scope, nothing of the message stays reachable from here.
   */
  private static final class Received {
    final ChannelInfo channel;
    final WeakReference<Object> message;
    final WeakReference<Headers> headers;
    final Span span;
    final SpanContext creation;

    Received(ChannelInfo channel, Object message, Headers headers, Span span, SpanContext creation) {
      this.channel = channel;
      this.message = message == null ? null : new WeakReference<>(message);
      this.headers = new WeakReference<>(headers);
      this.span = span;
      this.creation = creation;
    }

    boolean matches(ChannelInfo c, Object m, Headers h) {
      return channel.equals(c) && (message == null ? m == null : m != null && message.get() == m)
          && headers.get() == h;
    }
  }

  /** Builds a {@link ChannelTracing}. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private TextMapPropagator propagator = TraceHeaders.w3c();

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * How the context travels in the headers. Default: W3C trace context alone ({@code traceparent},
     * {@code tracestate}), whatever {@code openTelemetry}'s own propagators are; pass
     * {@code openTelemetry.getPropagators().getTextMapPropagator()} to send baggage too (keys are
     * lowercased; one that is not a valid header key is left out).
     */
    public Builder propagator(TextMapPropagator propagator) {
      this.propagator = Objects.requireNonNull(propagator, "propagator");
      return this;
    }

    /** The interceptor. */
    public ChannelTracing build() {
      return new ChannelTracing(this);
    }
  }
}
