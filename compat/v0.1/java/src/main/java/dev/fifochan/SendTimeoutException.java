package dev.fifochan;

import java.time.Duration;

/**
 * A timed send found no room in time because the reader is not keeping up. The message was not sent
 * and nothing of it is in the pipe; the sender stays usable.
 */
public class SendTimeoutException extends FifochanException {
  private static final long serialVersionUID = 1L;

  public SendTimeoutException(Duration timeout) {
    super("no room to send within " + Buffers.human(timeout) + ": the reader is not keeping up; the message was not sent");
  }
}
