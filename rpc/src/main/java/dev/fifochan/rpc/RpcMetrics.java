package dev.fifochan.rpc;

import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link RpcClient} or {@link RpcResponder}, since it was made. Lock-free: every
 * getter reads {@link LongAdder}s without taking any lock, so a metrics binder (Micrometer's
 * {@code FunctionCounter}, a gauge) may read them at any time from any thread. Each value is recent,
 * not a snapshot across counters.
 *
 * <p>For a client a call is one {@code call}/{@code callStream}; for a responder it is one {@code call}
 * frame received. "Failed" counts, per status, the calls a client saw fail (locally or from the
 * responder) and the error replies a responder decided.
 */
public final class RpcMetrics {
  final LongAdder started = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  private final LongAdder[] failed = new LongAdder[RpcStatus.values().length];
  final LongAdder inFlight = new LongAdder();
  final LongAdder lateReplies = new LongAdder();
  final LongAdder cancelsSent = new LongAdder();
  final LongAdder cancelsReceived = new LongAdder();
  final LongAdder connections = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  final LongAdder connectionFailures = new LongAdder();
  final LongAdder notificationsSent = new LongAdder();
  final LongAdder notificationsReceived = new LongAdder();
  final LongAdder notificationsDropped = new LongAdder();
  final LongAdder framesIgnored = new LongAdder();
  final LongAdder expiredOnArrival = new LongAdder();

  RpcMetrics() {
    for (int i = 0; i < failed.length; i++) {
      failed[i] = new LongAdder();
    }
  }

  void failed(int code) {
    failed[RpcStatus.ofCode(code).ordinal()].increment();
  }

  /** Calls started (client) or received (responder). */
  public long callsStarted() {
    return started.sum();
  }

  /** Calls that ended with a reply (unary) or {@code done} (streaming). */
  public long callsSucceeded() {
    return succeeded.sum();
  }

  /** Calls that ended with {@code status} (a number this version does not define counts as UNKNOWN). */
  public long callsFailed(RpcStatus status) {
    return failed[status.ordinal()].sum();
  }

  /** Calls that ended with any error status. */
  public long callsFailed() {
    long n = 0;
    for (LongAdder a : failed) {
      n += a.sum();
    }
    return n;
  }

  /** Calls started and not yet ended (a gauge). */
  public long callsInFlight() {
    return inFlight.sum();
  }

  /**
   * Client: frames ({@code reply}, {@code error}, {@code item}, {@code done}) that arrived for a call no
   * longer waiting (after its deadline or cancel, or an unknown id): dropped, never delivered to
   * another call. Responder: {@code cancel} frames for calls no longer in flight.
   */
  public long lateFramesDropped() {
    return lateReplies.sum();
  }

  /** {@code cancel} frames sent (client: on cancel and on a passed deadline). */
  public long cancelsSent() {
    return cancelsSent.sum();
  }

  /** {@code cancel} frames received for a call in flight (responder). */
  public long cancelsReceived() {
    return cancelsReceived.sum();
  }

  /** Connections whose handshake succeeded. */
  public long connections() {
    return connections.sum();
  }

  /** Client: connections made after the first one (the peer came back). */
  public long reconnects() {
    return reconnects.sum();
  }

  /** Connections that failed or were lost (handshake failures included). */
  public long connectionFailures() {
    return connectionFailures.sum();
  }

  /** {@code notify} frames sent. */
  public long notificationsSent() {
    return notificationsSent.sum();
  }

  /** {@code notify} frames received and handed to a handler. */
  public long notificationsReceived() {
    return notificationsReceived.sum();
  }

  /** {@code notify} frames dropped: no handler for the operation, or undecodable. */
  public long notificationsDropped() {
    return notificationsDropped.sum();
  }

  /** Frames ignored as not part of the protocol here (an unknown {@code fc-kind}, a bad {@code fc-id}, ...). */
  public long framesIgnored() {
    return framesIgnored.sum();
  }

  /** Responder: calls whose deadline had passed when they arrived (not run, nothing sent). */
  public long callsExpiredOnArrival() {
    return expiredOnArrival.sum();
  }

  @Override
  public String toString() {
    return "RpcMetrics{started=" + callsStarted() + ", succeeded=" + callsSucceeded() + ", failed=" + callsFailed()
        + ", inFlight=" + callsInFlight() + ", lateDropped=" + lateFramesDropped() + ", cancelsSent=" + cancelsSent()
        + ", cancelsReceived=" + cancelsReceived() + ", connections=" + connections() + ", reconnects=" + reconnects()
        + ", connectionFailures=" + connectionFailures() + ", notificationsSent=" + notificationsSent()
        + ", notificationsReceived=" + notificationsReceived() + ", framesIgnored=" + framesIgnored() + "}";
  }
}
