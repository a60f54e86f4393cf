/**
 * fifochan over NATS: {@link dev.fifochan.nats.Nats} opens senders, receivers, request/response
 * connectors and acceptors on NATS subjects (core NATS or JetStream); {@link dev.fifochan.nats.NatsBridge}
 * forwards between a FIFO and a subject. The mapping is specified in {@code docs/nats.md}.
 */
@SuppressWarnings("requires-automatic")
module dev.fifochan.nats {
  requires transitive dev.fifochan;
  requires transitive io.nats.jnats;
  requires dev.fifochan.fifo;

  exports dev.fifochan.nats;
}
