package dev.fifochan;

import java.time.Duration;

/** No peer opened the other end in time. Nothing is left open or blocked behind. */
public final class OpenTimeoutException extends FifochanTimeoutException {
  private static final long serialVersionUID = 1L;
  private final String description;

  /**
   * @param description the end being opened, e.g. "write end of /run/app/orders"
   * @param timeout the open timeout that ran out
   */
  public OpenTimeoutException(String description, Duration timeout) {
    super(timeout, Operation.OPEN, null);
    this.description = description;
  }

  /** The end that was being opened. */
  public String description() {
    return description;
  }

  @Override
  public String getMessage() {
    return description + ": no peer opened the other end" + within();
  }
}
