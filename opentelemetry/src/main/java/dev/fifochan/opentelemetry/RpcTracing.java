package dev.fifochan.opentelemetry;

import dev.fifochan.ChannelInterceptor;
import dev.fifochan.Headers;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcInterceptor;
import dev.fifochan.rpc.RpcStatus;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;

/**
 * Traces request/response calls: an {@link RpcInterceptor} that follows the OpenTelemetry semantic
 * conventions for RPC spans. The client's span context travels in the {@code call} frame's headers (W3C
 * {@code traceparent}/{@code tracestate}, next to the protocol's {@code fc-} keys), and the responder's
 * span is its child, current while the handler runs, so spans the handler starts join the caller's trace.
 *
 * <pre>{@code
 * RpcTracing tracing = RpcTracing.create(openTelemetry);
 * RpcClient<Q> client = RpcClient.builder(connector, codec).interceptor(tracing).build();
 * RpcResponder<Q> responder = RpcResponder.builder(codec).interceptor(tracing).handle(...).build();
 * }</pre>
 *
 * <table class="striped">
 * <caption>Spans</caption>
 * <thead><tr><th>side</th><th>name</th><th>kind</th><th>from, to</th><th>parent</th></tr></thead>
 * <tbody>
 * <tr><td>client</td><td>{@code <service>/<operation>}</td><td>CLIENT</td><td>{@code call}/{@code callStream}
 *     until the reply, the end of the stream, or the failure</td><td>the current context</td></tr>
 * <tr><td>responder</td><td>{@code <service>/<operation>}</td><td>SERVER</td><td>the {@code call} frame's arrival
 *     until the answer is written or the call is cancelled; refused calls too</td><td>the context in the call's
 *     headers (else none: a new trace)</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Attributes: {@code rpc.system.name=fifochan}; {@code rpc.method}, the fully qualified method
 * {@code <service>/<operation>} (also the span name); {@code rpc.response.status_code}, the status name
 * ({@code OK}, {@code NOT_FOUND}, {@code DEADLINE_EXCEEDED}, ...: gRPC's codes, docs/rpc.md §8); on failure
 * status ERROR and {@code error.type}, the status name; {@code server.address}, the service name unless the
 * builder names another (a FIFO pair has no host: the conventions take this attribute from configuration).
 * A handler's exception other than an {@code RpcException} is recorded as an exception event. Notifications
 * are not traced.
 *
 * <p>Immutable and thread-safe; one instance may serve any number of clients and responders.
 */
public final class RpcTracing implements RpcInterceptor {
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String serverAddress;

  private RpcTracing(Builder b) {
    this.tracer = b.openTelemetry.getTracer(ChannelTracing.INSTRUMENTATION_NAME, Version.VERSION);
    this.propagator = b.propagator;
    this.serverAddress = b.serverAddress;
  }

  /** Tracing with {@code openTelemetry}'s tracer provider and W3C trace context in the headers. */
  public static RpcTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** A builder using {@code openTelemetry}'s tracer provider. */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  @Override
  public ClientCall clientCall(CallInfo call) {
    Context parent = Context.current();
    Span span = start(call, SpanKind.CLIENT, parent);
    return new ClientCall() {
      @Override
      public Headers headers() {
        Headers h = TraceHeaders.inject(propagator, parent.with(span));
        return h.isEmpty() ? null : h;
      }

      @Override
      public void end(RpcException failure) {
        if (failure == null) {
          span.setAttribute(Semconv.RPC_RESPONSE_STATUS_CODE, RpcStatus.OK.name());
        } else {
          failed(span, failure.code(), failure.statusMessage());
        }
        span.end();
      }
    };
  }

  @Override
  public ServerCall serverCall(CallInfo call, Headers headers) {
    Context parent = TraceHeaders.extract(propagator, Context.root(), headers);
    Span span = start(call, SpanKind.SERVER, parent);
    return new ServerCall() {
      @Override
      public ChannelInterceptor.Scope enter() {
        io.opentelemetry.context.Scope s = parent.with(span).makeCurrent();
        return s::close;
      }

      @Override
      public void end(int statusCode, Throwable failure) {
        if (statusCode == RpcStatus.OK.code()) {
          span.setAttribute(Semconv.RPC_RESPONSE_STATUS_CODE, RpcStatus.OK.name());
        } else {
          failed(span, statusCode, failure == null ? null : failure.getMessage());
          if (failure != null && !(failure instanceof RpcException)) {
            span.recordException(failure);
          }
        }
        span.end();
      }
    };
  }

  private Span start(CallInfo call, SpanKind kind, Context parent) {
    String method = call.service() + "/" + call.operation();
    return tracer.spanBuilder(method)
        .setSpanKind(kind)
        .setParent(parent)
        .setAttribute(Semconv.RPC_SYSTEM_NAME, Semconv.SYSTEM)
        .setAttribute(Semconv.RPC_METHOD, method)
        .setAttribute(Semconv.SERVER_ADDRESS, serverAddress != null ? serverAddress : call.service())
        .startSpan();
  }

  private static void failed(Span span, int code, String message) {
    String name = code >= 0 && code <= 16 ? RpcStatus.ofCode(code).name() : Integer.toString(code);
    span.setAttribute(Semconv.RPC_RESPONSE_STATUS_CODE, name);
    span.setAttribute(Semconv.ERROR_TYPE, name);
    span.setStatus(StatusCode.ERROR, message == null ? name : message);
  }

  @Override
  public String toString() {
    return "RpcTracing[" + propagator + "]";
  }

  /** Builds an {@link RpcTracing}. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private TextMapPropagator propagator = TraceHeaders.w3c();
    private String serverAddress;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /** How the context travels in the call's headers; default W3C trace context (see {@link ChannelTracing.Builder#propagator}). */
    public Builder propagator(TextMapPropagator propagator) {
      this.propagator = Objects.requireNonNull(propagator, "propagator");
      return this;
    }

    /** The {@code server.address} of every span: a name for the responders (default: the service name). */
    public Builder serverAddress(String serverAddress) {
      this.serverAddress = Objects.requireNonNull(serverAddress, "serverAddress");
      return this;
    }

    /** The interceptor. */
    public RpcTracing build() {
      return new RpcTracing(this);
    }
  }
}
