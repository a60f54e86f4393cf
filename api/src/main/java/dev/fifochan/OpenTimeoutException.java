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

  /**
   * "no peer opened the other end within T"; for a read end "no writer opened it, or one did and wrote
   * nothing, within T": on Linux a FIFO's reader cannot tell a writer that has not come from one that
   * opened the FIFO and stays silent, so a reader's open completes at the writer's first byte.
   */
  @Override
  public String getMessage() {
    if (description.startsWith("read end")) {
      return description + ": no writer opened it, or one did and wrote nothing," + within();
    }
    return description + ": no peer opened the other end" + within();
  }
}
