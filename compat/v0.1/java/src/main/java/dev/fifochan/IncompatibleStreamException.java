package dev.fifochan;

/**
 * The writer speaks another version of the wire format, or encodes payloads with a codec this reader
 * cannot read.
 */
public class IncompatibleStreamException extends StreamException {
  private static final long serialVersionUID = 1L;

  public IncompatibleStreamException(String message, long offset) {
    super(message, offset);
  }
}
