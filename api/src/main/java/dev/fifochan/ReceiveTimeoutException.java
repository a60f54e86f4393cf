package dev.fifochan;

import java.time.Duration;

/** No message arrived in time (also when another thread held the receiver meanwhile). Nothing was consumed; the receiver stays usable. */
public final class ReceiveTimeoutException extends FifochanTimeoutException {
  private static final long serialVersionUID = 1L;

  /** @param timeout the budget that ran out */
  public ReceiveTimeoutException(Duration timeout) {
    super(timeout, Operation.RECEIVE, null);
  }

  @Override
  public String getMessage() {
    return "no message arrived" + within();
  }
}
