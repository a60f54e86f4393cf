package dev.fifochan;

/** A value could not be encoded. Nothing of it was written; the sender stays usable. */
public class EncodeException extends FifochanException {
  private static final long serialVersionUID = 1L;

  public EncodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
