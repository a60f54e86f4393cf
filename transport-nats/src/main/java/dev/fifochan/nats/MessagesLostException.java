package dev.fifochan.nats;

import dev.fifochan.StreamException;

/**
 * Messages of a writer session never reached this receiver (core NATS is at most once): a gap in a
 * session's frame numbers ({@link Reason#GAP}, with the session and the numbers), or messages the client
 * dropped because the receiver fell behind its subscription's pending limits
 * ({@link Reason#SLOW_CONSUMER}, with the count). Thrown once per loss found. A receiver in follow mode
 * ({@link NatsOptions#follow()}) goes on with the next record; a plain receiver, as for any stream
 * failure, keeps throwing it.
 *
 * <p>Slow-consumer drops are also gaps: a {@code SLOW_CONSUMER} report may be followed by {@code GAP}
 * reports naming the sessions that lost those messages, once their next record arrives.
 */
public final class MessagesLostException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** How the loss was found. */
  public enum Reason {
    /** A session's frame numbers skipped {@link #lost()} frames (the next record arrived, or its end or heartbeat said how many were sent). */
    GAP,
    /** The NATS client dropped {@link #lost()} messages because the subscription's pending limits were reached. */
    SLOW_CONSUMER
  }

  private final Reason reason;
  private final String session;
  private final long expected;
  private final long received;
  private final long lost;

  /**
   * @param reason how the loss was found
   * @param session the writer session (GAP), or null
   * @param expected the frame number expected next (GAP), or -1
   * @param received the frame number that arrived (or the last one the writer sent) (GAP), or -1
   * @param lost how many messages were lost
   * @param position the receiver's position when found
   */
  public MessagesLostException(Reason reason, String session, long expected, long received, long lost, long position) {
    super(position, null);
    this.reason = reason;
    this.session = session;
    this.expected = expected;
    this.received = received;
    this.lost = lost;
  }

  /** Why the messages were lost. */
  public Reason reason() {
    return reason;
  }

  /** The session that lost frames ({@link Reason#GAP}); null otherwise. */
  public String session() {
    return session;
  }

  /** The frame number that was due ({@link Reason#GAP}); -1 otherwise. */
  public long expected() {
    return expected;
  }

  /** The frame number that arrived instead, or the writer's last ({@link Reason#GAP}); -1 otherwise. */
  public long received() {
    return received;
  }

  /** How many messages were lost. */
  public long lost() {
    return lost;
  }

  @Override
  public String getMessage() {
    if (reason == Reason.SLOW_CONSUMER) {
      return lost + " message(s) dropped by the NATS client: the receiver fell behind its pending limits (core NATS"
          + " is at most once; use JetStream for no loss)";
    }
    return lost + " frame(s) of session " + session + " lost: expected frame " + expected + ", got " + received
        + " (core NATS is at most once; use JetStream for no loss)";
  }
}
