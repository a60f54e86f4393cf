package dev.fifochan.rpc;

/**
 * Answers unary calls of one operation: returns the reply, or throws {@link RpcException} for an error
 * reply with its status; any other exception becomes an error reply {@link RpcStatus#UNKNOWN} naming
 * the exception. Runs on the responder's executor; may block (other calls go on).
 *
 * @param <Q> the request type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface Handler<Q, R> {
  /** Handles one call; the returned value must not be null. */
  R handle(Q request, CallContext call) throws Exception;
}
