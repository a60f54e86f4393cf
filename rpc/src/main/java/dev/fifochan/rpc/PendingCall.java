package dev.fifochan.rpc;

import dev.fifochan.Deadline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** A client's call from start to its one ending; ended exactly once, by whoever removes it from the table. */
final class PendingCall implements Link.Numbered {
  final long id;
  final String operation;
  final Class<?> responseType;
  final Deadline deadline;
  /** The unary call's future; null for a streaming call. */
  final CompletableFuture<Object> future;
  /** The streaming call's items; null for a unary call. */
  final ClientStream<?> stream;
  /** The link the request was (or is being) sent on; null while waiting for one. */
  volatile Link link;
  /** The request frame's number on its link; 0 until accepted. Written under the link's send lock. */
  volatile long frameNumber;
  volatile ScheduledFuture<?> timer;
  /** The interceptor's observer of this call, or null; set before the call is shared. */
  RpcInterceptor.ClientCall traced;

  PendingCall(long id, String operation, Class<?> responseType, Deadline deadline, CompletableFuture<Object> future,
      ClientStream<?> stream) {
    this.id = id;
    this.operation = operation;
    this.responseType = responseType;
    this.deadline = deadline;
    this.future = future;
    this.stream = stream;
  }

  @Override
  public void accepted(long frameNumber) {
    this.frameNumber = frameNumber;
  }

  /** Whether every byte of the request reached the transport, given how many frames did. */
  boolean written(long framesWritten) {
    long n = frameNumber;
    return n > 0 && n <= framesWritten;
  }
}
