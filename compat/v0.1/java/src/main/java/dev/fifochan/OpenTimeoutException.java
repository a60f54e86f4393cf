package dev.fifochan;

import java.time.Duration;

/** No peer opened the other end in time. Nothing is left open or blocked behind. */
public class OpenTimeoutException extends FifochanException {
  private static final long serialVersionUID = 1L;

  public OpenTimeoutException(String what, Duration timeout) {
    super(what + ": no peer opened the other end within " + Buffers.human(timeout));
  }
}
