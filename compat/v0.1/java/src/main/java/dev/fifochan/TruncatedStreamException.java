package dev.fifochan;

/**
 * The transport ended without a clean end of stream: a writer died in the middle of a record, or
 * closed without its end-of-stream frame. Every frame that arrived complete before it was delivered.
 */
public class TruncatedStreamException extends StreamException {
  private static final long serialVersionUID = 1L;

  public TruncatedStreamException(String message, long offset) {
    super(message, offset);
  }
}
