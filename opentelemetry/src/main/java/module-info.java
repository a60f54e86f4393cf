/**
 * OpenTelemetry tracing for fifochan: {@link dev.fifochan.opentelemetry.ChannelTracing} (a
 * {@link dev.fifochan.ChannelInterceptor}: messaging spans, W3C trace context in per-frame headers) and
 * {@link dev.fifochan.opentelemetry.RpcTracing} (an {@code RpcInterceptor}: client and server spans of
 * request/response). {@code RpcTracing} needs {@code fifochan-rpc} on the module path; the rest does not.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // the OpenTelemetry jars have only Automatic-Module-Names
module dev.fifochan.opentelemetry {
  requires transitive dev.fifochan;
  requires transitive io.opentelemetry.api;
  requires transitive io.opentelemetry.context;
  requires static transitive dev.fifochan.rpc;

  exports dev.fifochan.opentelemetry;
}
