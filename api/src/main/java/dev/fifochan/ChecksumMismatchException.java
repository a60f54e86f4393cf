package dev.fifochan;

/**
 * A record's CRC-32C trailer does not match its bytes: they were changed in transit or by a writer
 * that died mid-write while another was connected. The stream cannot be trusted after it.
 */
public final class ChecksumMismatchException extends CorruptFrameException {
  private static final long serialVersionUID = 1L;
  private final int expected;
  private final int actual;

  /**
   * @param expected the CRC-32C in the trailer
   * @param actual the CRC-32C of the bytes read
   * @param position the record's first byte
   */
  public ChecksumMismatchException(int expected, int actual, long position) {
    super(Reason.CHECKSUM, position, -1);
    this.expected = expected;
    this.actual = actual;
  }

  /** The CRC-32C the trailer carries. */
  public int expected() {
    return expected;
  }

  /** The CRC-32C of the bytes that arrived. */
  public int actual() {
    return actual;
  }

  @Override
  public String getMessage() {
    return String.format("corrupt stream at position %d: CRC-32C mismatch (trailer %08x, bytes %08x)", position(), expected, actual);
  }
}
