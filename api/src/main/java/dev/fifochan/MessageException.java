package dev.fifochan;

/**
 * One message failed; the sender or receiver stays usable and the next message is unaffected. On a
 * receiver the frame was consumed and {@link #position()} is its first byte; on a sender nothing of
 * the message was sent and {@link #position()} is -1.
 */
public abstract class MessageException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final long position;

  /** For subclasses: the frame's position (-1 on a sender) and an optional cause. */
  protected MessageException(long position, Throwable cause) {
    super(cause);
    this.position = position;
  }

  /** Position of the frame's first byte on a receiver; -1 on a sender. */
  public long position() {
    return position;
  }

  String at() {
    return position >= 0 ? " at position " + position : "";
  }
}
