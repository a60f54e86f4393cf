package dev.fifochan;

import java.util.Objects;

/**
 * A writer's preamble announces a wire format version or a codec this reader cannot read.
 * {@link #writerValue()} is what the writer announced and {@link #readerValue()} what this reader
 * accepts.
 */
public final class IncompatibleStreamException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** What does not match. */
  public enum Reason {
    /** The preamble's version byte is not one this reader reads (1 or 2). */
    VERSION,
    /** The reader's codec does not accept the writer's ({@link Codec#accepts(String)}). */
    CODEC
  }

  private final Reason reason;
  private final String writerValue;
  private final String readerValue;

  /**
   * @param reason what does not match
   * @param writerValue the writer's version byte (decimal) or codec name
   * @param readerValue what the reader accepts: its versions (e.g. {@code "1, 2"}) or its codec name
   * @param position the preamble's first byte
   */
  public IncompatibleStreamException(Reason reason, String writerValue, String readerValue, long position) {
    super(position, null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.writerValue = writerValue;
    this.readerValue = readerValue;
  }

  /** What does not match. */
  public Reason reason() {
    return reason;
  }

  /** What the writer announced: its version byte in decimal, or its codec name. */
  public String writerValue() {
    return writerValue;
  }

  /** What this reader accepts: its version bytes, or its codec's name. */
  public String readerValue() {
    return readerValue;
  }

  @Override
  public String getMessage() {
    if (reason == Reason.VERSION) {
      return "incompatible stream at position " + position() + ": the writer speaks wire format version " + writerValue
          + ", this reader reads versions " + readerValue;
    }
    return "incompatible stream at position " + position() + ": the writer encodes with codec '" + writerValue
        + "', which this reader's codec '" + readerValue + "' cannot read";
  }
}
