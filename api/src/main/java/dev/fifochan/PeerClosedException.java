package dev.fifochan;

/**
 * The sender's reader is gone (it closed its end or died) while this side still had bytes to write.
 * The sender is failed and closed. The fields say what happened to the data: how many messages are
 * completely in the transport ({@link #messagesWritten()}; those still unread in a pipe die with the
 * reader), how many accepted ones were discarded, and whether a frame was torn.
 *
 * <p>A transport throws it from its channel's write (for a FIFO: {@code EPIPE}) with
 * {@link #PeerClosedException(String, Throwable)}; the sender then reports one with the counts.
 */
public final class PeerClosedException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final String description;
  private final long messagesWritten;
  private final long messagesDiscarded;
  private final boolean frameTorn;

  /**
   * @param description the transport end, e.g. the FIFO's path
   * @param messagesWritten messages completely written before
   * @param messagesDiscarded accepted messages that will never be written
   * @param frameTorn whether a frame was partly written
   * @param cause the transport's error, or null
   */
  public PeerClosedException(String description, long messagesWritten, long messagesDiscarded, boolean frameTorn, Throwable cause) {
    super(cause);
    this.description = description;
    this.messagesWritten = messagesWritten;
    this.messagesDiscarded = messagesDiscarded;
    this.frameTorn = frameTorn;
  }

  /** As thrown by a transport's channel, which does not know the counts ({@link #countsKnown()} is false). */
  public PeerClosedException(String description, Throwable cause) {
    this(description, -1, -1, false, cause);
  }

  /** The transport end whose reader is gone. */
  public String description() {
    return description;
  }

  /** Whether the counts are known (false only for the transport's own exception, before the sender adds them). */
  public boolean countsKnown() {
    return messagesWritten >= 0;
  }

  /** Messages whose every byte was written to the transport; -1 if unknown. */
  public long messagesWritten() {
    return messagesWritten;
  }

  /** Messages the sender had accepted that will never be written; -1 if unknown. */
  public long messagesDiscarded() {
    return messagesDiscarded;
  }

  /** Whether a frame was partly written (the reader, if any, sees a truncated stream). */
  public boolean frameTorn() {
    return frameTorn;
  }

  @Override
  public String getMessage() {
    if (!countsKnown()) {
      return "the reader of " + description + " is gone";
    }
    return "the reader of " + description + " is gone: " + messagesWritten + " message" + (messagesWritten == 1 ? "" : "s")
        + " written, " + messagesDiscarded + " accepted but discarded" + (frameTorn ? ", a frame torn" : "");
  }
}
