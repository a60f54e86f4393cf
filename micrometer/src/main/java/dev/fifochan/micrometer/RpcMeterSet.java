package dev.fifochan.micrometer;

import dev.fifochan.rpc.RpcMetrics;
import dev.fifochan.rpc.RpcStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/** The meters of {@link RpcMetrics} shared by the client's and the responder's binders. */
abstract class RpcMeterSet extends MeterSet {
  final RpcMetrics metrics;
  private final boolean client;

  RpcMeterSet(RpcMetrics metrics, String service, boolean client, Iterable<Tag> tags) {
    super(Tags.of("service", service, "role", client ? "client" : "responder").and(tags));
    this.metrics = metrics;
    this.client = client;
  }

  @Override
  public final void bindTo(MeterRegistry registry) {
    counter(registry, "fifochan.rpc.calls.started", metrics, RpcMetrics::callsStarted, NONE,
        client ? "Calls started" : "Calls received");
    counter(registry, "fifochan.rpc.calls", metrics, RpcMetrics::callsSucceeded, NONE,
        "Calls ended, by status", Tag.of("status", RpcStatus.OK.name()));
    for (RpcStatus s : RpcStatus.values()) {
      if (s != RpcStatus.OK) {
        counter(registry, "fifochan.rpc.calls", metrics, m -> m.callsFailed(s), NONE, "Calls ended, by status",
            Tag.of("status", s.name()));
      }
    }
    gauge(registry, "fifochan.rpc.calls.in.flight", metrics, RpcMetrics::callsInFlight,
        "Calls started and not yet ended");
    counter(registry, "fifochan.rpc.frames.late", metrics, RpcMetrics::lateFramesDropped, NONE, client
        ? "Answers dropped because their call was no longer waiting (deadline, cancel, unknown id)"
        : "Cancels for calls no longer in flight");
    counter(registry, "fifochan.rpc.frames.ignored", metrics, RpcMetrics::framesIgnored, NONE,
        "Frames ignored as not part of the protocol here");
    if (client) {
      counter(registry, "fifochan.rpc.cancels", metrics, RpcMetrics::cancelsSent, NONE, "Cancel frames sent",
          Tag.of("direction", "send"));
    } else {
      counter(registry, "fifochan.rpc.cancels", metrics, RpcMetrics::cancelsReceived, NONE,
          "Cancel frames received for a call in flight", Tag.of("direction", "receive"));
      counter(registry, "fifochan.rpc.calls.expired", metrics, RpcMetrics::callsExpiredOnArrival, NONE,
          "Calls whose deadline had passed when they arrived (not run)");
    }
    counter(registry, "fifochan.rpc.notifications", metrics, RpcMetrics::notificationsSent, NONE,
        "Notifications sent", Tag.of("direction", "send"));
    counter(registry, "fifochan.rpc.notifications", metrics, RpcMetrics::notificationsReceived, NONE,
        "Notifications received and handed to a handler", Tag.of("direction", "receive"));
    counter(registry, "fifochan.rpc.notifications.dropped", metrics, RpcMetrics::notificationsDropped, NONE,
        "Notifications dropped: no handler, or undecodable");
    counter(registry, "fifochan.rpc.connections", metrics, RpcMetrics::connections, NONE,
        "Connections whose handshake succeeded");
    if (client) {
      counter(registry, "fifochan.rpc.reconnects", metrics, RpcMetrics::reconnects, NONE,
          "Connections made after the first one");
    }
    counter(registry, "fifochan.rpc.connection.failures", metrics, RpcMetrics::connectionFailures, NONE,
        "Connections that failed or were lost, handshake failures included");
  }
}
