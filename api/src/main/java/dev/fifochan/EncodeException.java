package dev.fifochan;

/**
 * A codec could not encode a value. Nothing of the message was sent and the sender stays usable; the
 * codec's own explanation is the {@link #getCause() cause}.
 */
public final class EncodeException extends MessageException {
  private static final long serialVersionUID = 1L;
  private final String codecName;
  private final String valueType;

  /**
   * @param codecName the codec's {@link Codec#name()}
   * @param valueType the value's class name
   * @param cause the codec's failure
   */
  public EncodeException(String codecName, String valueType, Throwable cause) {
    super(-1, cause);
    this.codecName = codecName;
    this.valueType = valueType;
  }

  /** The codec that failed. */
  public String codecName() {
    return codecName;
  }

  /** The class name of the value it failed on. */
  public String valueType() {
    return valueType;
  }

  @Override
  public String getMessage() {
    Throwable c = getCause();
    return "codec '" + codecName + "' cannot encode a " + valueType + "; not sent"
        + (c == null ? "" : ": " + (c.getMessage() != null ? c.getMessage() : c.toString()));
  }
}
