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
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

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
 * ({@code send}, {@code receive}, {@code process}) and {@code messaging.destination.name}; each span of
 * one message has {@code messaging.message.body.size}, the payload's length in bytes (a send whose
 * message was never encoded has none). A send that failed or an offer that was not accepted has status
 * ERROR and {@code error.type}: the exception's class name, or the {@link SendStatus}
 * ({@code BACK_PRESSURED}, {@code NOT_CONNECTED}, {@code CLOSED}); so has a process span whose handler
 * threw (the exception is recorded as an event). A single-message receive uses the creation context as
 * its parent, as the conventions allow, so the trace is one; it also links to it, as they ask. A receive
 * span covers the receive: from the moment the {@code receive} or {@code poll} call began (for later
 * messages of one {@code poll}: the moment the previous handler returned), so the wait for the message
 * is in it, to the delivery.
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
  public void afterSend(ChannelInfo channel, Object message, int payloadLength, long result, Throwable failure) {
    ArrayDeque<Span> stack = sending.get();
    Span span = stack.poll();
    if (stack.isEmpty()) {
      sending.remove();
    }
    if (span == null) {
      return;
    }
    if (payloadLength >= 0) {
      span.setAttribute(Semconv.MESSAGING_MESSAGE_BODY_SIZE, payloadLength);
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
  public void afterReceive(ChannelInfo channel, Object message, Headers headers, int payloadLength,
      long receiveStartNanos, boolean handled) {
    long elapsed = Math.max(0, System.nanoTime() - receiveStartNanos);
    long end = epochNanos();
    SpanContext creation = creationOf(headers);
    SpanBuilder b = tracer.spanBuilder("receive " + channel.name())
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(creation.isValid() ? Context.root().with(Span.wrap(creation)) : Context.current())
        .setStartTimestamp(end - elapsed, TimeUnit.NANOSECONDS);
    common(b, channel, "receive");
    b.setAttribute(Semconv.MESSAGING_MESSAGE_BODY_SIZE, payloadLength);
    if (creation.isValid()) {
      b.addLink(creation);
    }
    Span span = b.startSpan();
    span.end(end, TimeUnit.NANOSECONDS);
    if (handled) {
      // poll and pollFrames open the handler's scope next, on this thread, for the same message
      received.set(new Received(channel, message, span, creation, payloadLength));
    }
  }

  @Override
  public Scope openScope(ChannelInfo channel, Object message, Headers headers) {
    Received r = received.get();
    received.remove();
    Context parent;
    SpanContext creation;
    SpanKind kind;
    SpanBuilder b = tracer.spanBuilder("process " + channel.name());
    if (r != null && r.matches(channel, message)) {
      parent = Context.root().with(r.span);
      creation = r.creation;
      kind = SpanKind.INTERNAL; // the receive span is the CONSUMER span of this message
      b.setAttribute(Semconv.MESSAGING_MESSAGE_BODY_SIZE, r.payloadLength);
    } else {
      creation = creationOf(headers);
      parent = creation.isValid() ? Context.root().with(Span.wrap(creation)) : Context.current();
      kind = SpanKind.CONSUMER;
    }
    b.setSpanKind(kind).setParent(parent);
    common(b, channel, "process");
    if (creation.isValid()) {
      b.addLink(creation);
    }
    Span span = b.startSpan();
    return new Processing(span, parent.with(span).makeCurrent());
  }

  /** Now, in nanoseconds since the epoch (for a span whose start lies in the past). */
  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
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
   * The receive span of the message just delivered on this thread to a handler: the receiver opens the
   * handler's scope right after telling {@code afterReceive} ({@code handled} true), on this thread, for
   * the same message, so {@code openScope} takes it at once. Pull receives keep nothing here.
   */
  private static final class Received {
    final ChannelInfo channel;
    final Object message;
    final Span span;
    final SpanContext creation;
    final int payloadLength;

    Received(ChannelInfo channel, Object message, Span span, SpanContext creation, int payloadLength) {
      this.channel = channel;
      this.message = message;
      this.span = span;
      this.creation = creation;
      this.payloadLength = payloadLength;
    }

    boolean matches(ChannelInfo c, Object m) {
      return channel.equals(c) && message == m;
    }
  }

  /** A handler's process span, current while the handler runs; an error if the handler threw. */
  private static final class Processing implements Scope {
    private final Span span;
    private final io.opentelemetry.context.Scope current;
    private boolean closed;

    Processing(Span span, io.opentelemetry.context.Scope current) {
      this.span = span;
      this.current = current;
    }

    @Override
    public void close() {
      close(null);
    }

    @Override
    public void close(Throwable handlerFailure) {
      if (closed) {
        return;
      }
      closed = true;
      current.close();
      if (handlerFailure != null) {
        span.setStatus(StatusCode.ERROR, String.valueOf(handlerFailure.getMessage()));
        span.setAttribute(Semconv.ERROR_TYPE, handlerFailure.getClass().getName());
        span.recordException(handlerFailure);
      }
      span.end();
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
