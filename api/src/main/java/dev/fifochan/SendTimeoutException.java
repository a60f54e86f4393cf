package dev.fifochan;

import java.time.Duration;

/**
 * A timed send or flush found no room in time (the reader is not keeping up), or could not get the
 * sender because another thread kept it busy.
 *
 * <ul>
 *   <li>From {@code send}/{@code offer} ({@link Operation#SEND}): the message was <em>not sent</em>:
 *       no byte of it was or will be written, and the sender stays usable.</li>
 *   <li>From {@code flush} ({@link Operation#FLUSH}): the buffered messages stay accepted and are
 *       written later, in order; what was written stays written.</li>
 * </ul>
 */
public final class SendTimeoutException extends FifochanTimeoutException {
  private static final long serialVersionUID = 1L;

  /** A send that ran out of {@code timeout}: not sent. */
  public SendTimeoutException(Duration timeout) {
    this(timeout, Operation.SEND);
  }

  /**
   * @param timeout the budget that ran out
   * @param operation {@link Operation#SEND} or {@link Operation#FLUSH}
   */
  public SendTimeoutException(Duration timeout, Operation operation) {
    super(timeout, operation, null);
    if (operation != Operation.SEND && operation != Operation.FLUSH) {
      throw new IllegalArgumentException("a send timeout is for SEND or FLUSH: " + operation);
    }
  }

  @Override
  public String getMessage() {
    if (operation() == Operation.FLUSH) {
      return "could not flush" + within() + ": the reader is not keeping up; buffered messages stay accepted";
    }
    return "no room to send" + within() + ": the reader is not keeping up; the message was not sent";
  }
}
