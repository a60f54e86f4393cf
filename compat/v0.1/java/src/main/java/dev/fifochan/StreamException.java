package dev.fifochan;

/**
 * A failure at a known position of a byte stream. {@link #offset()} is the offset, counted from the
 * first byte the reader read, of the record (preamble or frame) where the failure was found.
 */
public abstract class StreamException extends FifochanException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  protected StreamException(String message, long offset) {
    super(message + " (at stream offset " + offset + ")");
    this.offset = offset;
  }

  protected StreamException(String message, long offset, Throwable cause) {
    super(message + " (at stream offset " + offset + ")", cause);
    this.offset = offset;
  }

  /** The offset of the first byte of the record where the failure was found. */
  public long offset() {
    return offset;
  }

  /**
   * Whether the byte boundaries can still be trusted after this failure, so that the next frame can
   * be read. Only decode failures are recoverable; framing failures end the writer's stream.
   */
  public boolean isRecoverable() {
    return false;
  }
}
