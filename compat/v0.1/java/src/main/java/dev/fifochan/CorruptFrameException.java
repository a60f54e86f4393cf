package dev.fifochan;

/** The bytes at a record boundary are not a valid preamble or frame (wire format §5). */
public class CorruptFrameException extends StreamException {
  private static final long serialVersionUID = 1L;

  public CorruptFrameException(String message, long offset) {
    super(message, offset);
  }
}
