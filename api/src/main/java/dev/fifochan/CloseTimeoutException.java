package dev.fifochan;

import java.time.Duration;

/**
 * A graceful close (or an abort) gave up before the reader drained the stream: in time, or because the
 * closing thread was interrupted (then the {@link #getCause() cause} is that
 * {@link java.io.InterruptedIOException} and the interrupt flag stays set). The transport is closed
 * without an end of stream, so the reader sees a truncated stream. The fields say what happened to the
 * data.
 */
public final class CloseTimeoutException extends FifochanTimeoutException {
  private static final long serialVersionUID = 1L;
  private final long messagesWritten;
  private final long messagesDiscarded;
  private final boolean frameTorn;

  /**
   * @param timeout the close timeout that ran out
   * @param messagesWritten messages completely written to the transport
   * @param messagesDiscarded accepted messages that will never be written
   * @param frameTorn whether a frame was partly written
   * @param cause an interrupt that ended the close early, or null
   */
  public CloseTimeoutException(Duration timeout, long messagesWritten, long messagesDiscarded, boolean frameTorn, Throwable cause) {
    super(timeout, Operation.CLOSE, cause);
    this.messagesWritten = messagesWritten;
    this.messagesDiscarded = messagesDiscarded;
    this.frameTorn = frameTorn;
  }

  /** Messages whose every byte was written to the transport. */
  public long messagesWritten() {
    return messagesWritten;
  }

  /** Messages accepted by the sender that will never be written. */
  public long messagesDiscarded() {
    return messagesDiscarded;
  }

  /** Whether a frame was partly written. */
  public boolean frameTorn() {
    return frameTorn;
  }

  @Override
  public String getMessage() {
    return (getCause() != null ? "close interrupted" : "the reader did not drain the stream" + within())
        + ": stream truncated; " + messagesWritten + " message" + (messagesWritten == 1 ? "" : "s") + " written, "
        + messagesDiscarded + " accepted but discarded" + (frameTorn ? ", a frame torn" : "");
  }
}
