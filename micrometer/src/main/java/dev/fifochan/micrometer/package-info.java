/**
 * Micrometer {@link io.micrometer.core.instrument.binder.MeterBinder}s for fifochan.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();          // or Prometheus, OTLP, ...
 * new SenderMetrics(sender).bindTo(registry);
 * new ReceiverMetrics(receiver).bindTo(registry);
 * new RpcClientMetrics(client).bindTo(registry);
 * new RpcResponderMetrics(responder).bindTo(registry);
 * }</pre>
 *
 * <p>Names follow Micrometer's conventions: lowercase, dot-separated, {@code fifochan.} first, base
 * units (bytes, seconds) so that each registry renders them its own way (Prometheus:
 * {@code fifochan_bytes_total}, {@code fifochan_backpressure_seconds_sum}). Monotonic counts are
 * {@code FunctionCounter}s and levels are gauges, read from fifochan's lock-free counters when the
 * registry publishes; the cumulative back-pressure count and time form one {@code FunctionTimer}. A
 * channel's meters are tagged {@code channel}, {@code codec} and {@code direction} ({@code send},
 * {@code receive}); request/response meters {@code service} and {@code role} ({@code client},
 * {@code responder}). Each binder's class comment lists its meters.
 */
package dev.fifochan.micrometer;
