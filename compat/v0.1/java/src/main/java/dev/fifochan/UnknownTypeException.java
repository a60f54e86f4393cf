package dev.fifochan;

/** A frame carries a type tag that the receiving codec does not know. Recoverable like any decode failure. */
public class UnknownTypeException extends DecodeException {
  private static final long serialVersionUID = 1L;

  public UnknownTypeException(String tag, byte[] payload, long offset) {
    super("unknown type tag", tag, payload, offset, null);
  }
}
