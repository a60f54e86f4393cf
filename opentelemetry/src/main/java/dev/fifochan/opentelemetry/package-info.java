/**
 * OpenTelemetry tracing for fifochan. {@link dev.fifochan.opentelemetry.ChannelTracing} traces senders
 * and receivers (messaging spans), {@link dev.fifochan.opentelemetry.RpcTracing} request/response
 * (RPC spans); both carry the W3C trace context in per-frame headers (wire format 1.1), so one trace
 * spans both processes, in Java or in Go. {@link dev.fifochan.opentelemetry.TraceHeaders} reads and
 * writes the context in headers directly.
 */
package dev.fifochan.opentelemetry;
