package dev.fifochan;

/**
 * A frame is longer than the configured maximum. Raised by a reader before it allocates anything, and
 * by a writer (before anything of the frame is written) for a payload that exceeds the limit or, in
 * fan-in mode, a record that cannot be written atomically.
 */
public class FrameTooLongException extends StreamException {
  private static final long serialVersionUID = 1L;
  private final long length;
  private final long maximum;

  public FrameTooLongException(long length, long maximum, long offset) {
    super("frame of " + length + " bytes exceeds the maximum of " + maximum, offset);
    this.length = length;
    this.maximum = maximum;
  }

  /** The length the frame has or announces. */
  public long length() {
    return length;
  }

  /** The limit it exceeds. */
  public long maximum() {
    return maximum;
  }
}
