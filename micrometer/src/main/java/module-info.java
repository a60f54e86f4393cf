/**
 * Micrometer metrics for fifochan: {@link dev.fifochan.micrometer.SenderMetrics},
 * {@link dev.fifochan.micrometer.ReceiverMetrics}, {@link dev.fifochan.micrometer.RpcClientMetrics} and
 * {@link dev.fifochan.micrometer.RpcResponderMetrics} register the lock-free counters of a sender, a
 * receiver, and a request/response client or responder with a {@code MeterRegistry}. The rpc binders
 * need {@code fifochan-rpc} on the module path; the others do not.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // micrometer-core has only an Automatic-Module-Name
module dev.fifochan.micrometer {
  requires transitive dev.fifochan;
  requires transitive micrometer.core;
  requires static transitive dev.fifochan.rpc;

  exports dev.fifochan.micrometer;
}
