/**
 * Request/response over two fifochan streams ({@code docs/rpc.md}): {@link dev.fifochan.rpc.RpcClient}
 * and {@link dev.fifochan.rpc.RpcResponder} with calls, deadlines, cancellation, server streaming,
 * notifications both ways, a handshake and liveness, over any transport's
 * {@link dev.fifochan.spi.Connector} and {@link dev.fifochan.spi.Acceptor}. The protocol's internals
 * ({@code dev.fifochan.rpc.internal}) are not exported.
 */
module dev.fifochan.rpc {
  requires transitive dev.fifochan;

  exports dev.fifochan.rpc;
}
