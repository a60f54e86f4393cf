package dev.fifochan;

/**
 * The reading peer closed its end (or died) while this side was still writing. The sender is closed;
 * {@link #messagesWritten()} tells how many messages were completely written into the pipe before
 * that. Messages still in the pipe when the reader died are lost with it.
 */
public class PeerClosedException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final long messagesWritten;

  public PeerClosedException(String message, long messagesWritten, Throwable cause) {
    super(message + " (" + messagesWritten + " messages were completely written before)", cause);
    this.messagesWritten = messagesWritten;
  }

  /** How many messages were completely written into the pipe before the peer was found gone. */
  public long messagesWritten() {
    return messagesWritten;
  }
}
