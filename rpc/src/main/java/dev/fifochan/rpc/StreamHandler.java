package dev.fifochan.rpc;

/**
 * Answers server-streaming calls of one operation: sends any number of items through {@code items},
 * then returns (the caller receives {@code done}) or throws (the caller receives an {@code error}
 * frame, as for {@link Handler}). Runs on the responder's executor.
 *
 * @param <Q> the request type
 * @param <R> the item type
 */
@FunctionalInterface
public interface StreamHandler<Q, R> {
  /** Handles one streaming call. */
  void handle(Q request, CallContext call, ItemSink<R> items) throws Exception;
}
