package dev.fifochan;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A timed blocking call ran out of time. Every timed fifochan call that gives up throws a subclass.
 *
 * <p>It extends {@link InterruptedIOException}, the JDK's type for "a blocking I/O call gave up"
 * ({@link java.net.SocketTimeoutException} extends it too), so code written for blocking I/O
 * recognises it; {@link #bytesTransferred} is always 0. It is therefore not a
 * {@link FifochanException}; {@code catch (IOException e)} catches both. A thread interrupt is
 * reported as a plain {@link InterruptedIOException} (the interrupt flag stays set), never as this.
 */
public abstract class FifochanTimeoutException extends InterruptedIOException {
  private static final long serialVersionUID = 1L;

  /** The operation that ran out of time. */
  public enum Operation {
    /** Opening an end: the peer did not open the other end in time. */
    OPEN,
    /** Sending one message. */
    SEND,
    /** Flushing buffered messages. */
    FLUSH,
    /** Receiving one message. */
    RECEIVE,
    /** Closing (or aborting) a sender: the reader did not drain the stream in time. */
    CLOSE,
    /** Waiting for any sign of life from an open writer session. */
    LIVENESS
  }

  private final Duration timeout;
  private final Operation operation;

  /**
   * @param timeout the budget that ran out (null: none was given, e.g. a close woken by an interrupt)
   * @param operation what ran out of time
   * @param cause an optional cause
   */
  protected FifochanTimeoutException(Duration timeout, Operation operation, Throwable cause) {
    super(null);
    this.timeout = timeout;
    this.operation = Objects.requireNonNull(operation, "operation");
    if (cause != null) {
      initCause(cause);
    }
  }

  /** The budget that ran out. */
  public Duration timeout() {
    return timeout;
  }

  /** The operation that ran out of time. */
  public Operation operation() {
    return operation;
  }

  /** A message composed from this exception's fields. */
  @Override
  public abstract String getMessage();

  String within() {
    return timeout == null ? "" : " within " + Durations.human(timeout);
  }
}
