package dev.fifochan.nats;

import dev.fifochan.FifochanException;

/**
 * The JetStream consumer a receiver pulls from refuses its pull requests: its configuration was changed
 * after the receiver opened it (e.g. {@code max_batch} below the receiver's batch, or {@code max_expires}
 * below its 2 s pulls), so the server answers every pull with {@code 409 Exceeded Max...} and delivers
 * nothing while messages wait. Found when the receiver has had no message for 5 s, messages are pending
 * for the consumer and the consumer's limits are below the receiver's pull.
 *
 * <p>Thrown by the receiver's current call and by every later one; reopen the receiver (which sets the
 * consumer's configuration again) or undo the change. What happened to the data: nothing was delivered
 * since the refusal; records delivered and not acknowledged before stay in the stream and are delivered
 * again after {@code ackWait}.
 */
public final class PullRefusedException extends FifochanException {
  private static final long serialVersionUID = 1L;

  private final String stream;
  private final String consumer;
  private final String limit;
  private final long pending;

  /**
   * @param stream the JetStream stream's name
   * @param consumer the consumer's name
   * @param limit the limit that refuses the pulls and the receiver's request, e.g. {@code max_batch 1 < pull of 16}
   * @param pending messages waiting for the consumer (not delivered) when found
   */
  public PullRefusedException(String stream, String consumer, String limit, long pending) {
    this.stream = stream;
    this.consumer = consumer;
    this.limit = limit;
    this.pending = pending;
  }

  /** The stream's name. */
  public String stream() {
    return stream;
  }

  /** The consumer's name. */
  public String consumer() {
    return consumer;
  }

  /** The consumer's limit that refuses the pulls, with the receiver's request. */
  public String limit() {
    return limit;
  }

  /** Messages waiting for the consumer when the refusal was found. */
  public long pending() {
    return pending;
  }

  @Override
  public String getMessage() {
    return "JetStream consumer " + consumer + " of stream " + stream + " refuses the receiver's pulls (" + limit + "); "
        + pending + " message(s) wait undelivered; receiving stopped: reopen the receiver or undo the consumer's change";
  }
}
