package dev.fifochan;

/**
 * A failure that ends a stream: nothing after it can be trusted, so every later call of a plain
 * receiver throws the same exception again. In follow mode it ends only the current writer session;
 * the receiver then goes on with the next one.
 *
 * <p>{@link #position()} is the position, counted in bytes from the first byte this reader session
 * read, of the first byte of the record where the failure was found (for a stream that ends on a
 * record boundary: the end-of-input position).
 */
public abstract class StreamException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final long position;

  /** For subclasses: the failing record's position and an optional cause. */
  protected StreamException(long position, Throwable cause) {
    super(cause);
    this.position = position;
  }

  /** Position of the first byte of the failing record, counted from the first byte this session read. */
  public long position() {
    return position;
  }
}
