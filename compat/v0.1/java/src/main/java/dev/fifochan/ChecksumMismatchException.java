package dev.fifochan;

/** A frame's CRC-32C does not match its bytes: the frame was corrupted in transit or by a writer. */
public class ChecksumMismatchException extends CorruptFrameException {
  private static final long serialVersionUID = 1L;

  public ChecksumMismatchException(int expected, int actual, long offset) {
    super(String.format("CRC-32C mismatch: frame says %08x, bytes give %08x", expected, actual), offset);
  }
}
