package dev.fifochan.nats;

import dev.fifochan.FifochanException;

/**
 * The JetStream consumer a receiver pulls from no longer exists (deleted by an operator or another
 * process, or an ephemeral consumer removed after its inactivity threshold): the server answered a pull
 * with {@code 409 Consumer Deleted}, or its pulls went unanswered and the server then said the consumer
 * is not there. A consumer that was re-created under the same name is not this error: the receiver pulls
 * from it again.
 *
 * <p>Thrown by the receiver's current call and by every later one; reopen the receiver (it makes the
 * consumer again, from {@link NatsOptions#replay()}). What happened to the data: the records delivered
 * and acknowledged before are done; records delivered and not acknowledged, and everything not yet
 * delivered, stay in the stream — a new consumer gets them according to its start position (a durable
 * re-created with {@code Replay.ALL} delivers them again: expect duplicates).
 */
public final class ConsumerGoneException extends FifochanException {
  private static final long serialVersionUID = 1L;

  private final String stream;
  private final String consumer;
  private final boolean durable;
  private final String serverAnswer;

  /**
   * @param stream the JetStream stream's name
   * @param consumer the consumer's name
   * @param durable whether it was a durable consumer
   * @param serverAnswer what the server answered (e.g. {@code 409 Consumer Deleted}, {@code consumer not found})
   * @param cause the client's exception, or null
   */
  public ConsumerGoneException(String stream, String consumer, boolean durable, String serverAnswer, Throwable cause) {
    super(cause);
    this.stream = stream;
    this.consumer = consumer;
    this.durable = durable;
    this.serverAnswer = serverAnswer;
  }

  /** The stream's name. */
  public String stream() {
    return stream;
  }

  /** The consumer's name. */
  public String consumer() {
    return consumer;
  }

  /** Whether the consumer was durable. */
  public boolean durable() {
    return durable;
  }

  /** What the server answered. */
  public String serverAnswer() {
    return serverAnswer;
  }

  @Override
  public String getMessage() {
    return "JetStream " + (durable ? "durable" : "ephemeral") + " consumer " + consumer + " of stream " + stream
        + " no longer exists (" + serverAnswer + "); receiving stopped: reopen the receiver (records delivered and not"
        + " acknowledged stay in the stream and are delivered again to a consumer that starts before them)";
  }
}
