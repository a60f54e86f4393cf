package dev.fifochan;

/**
 * A reader met a frame whose announced payload length exceeds its {@link ChannelConfig#maxFrameLength()}.
 * Found on the length field alone, before anything is allocated. A sender refusing a message that is
 * too long throws {@link MessageTooLongException} instead (a per-message failure).
 */
public final class FrameTooLongException extends StreamException {
  private static final long serialVersionUID = 1L;
  private final long length;
  private final long limit;

  /**
   * @param length the announced payload length in bytes
   * @param limit the reader's maximum in bytes
   * @param position the frame's first byte
   */
  public FrameTooLongException(long length, long limit, long position) {
    super(position, null);
    this.length = length;
    this.limit = limit;
  }

  /** The payload length the frame announces, in bytes. */
  public long length() {
    return length;
  }

  /** The reader's maximum payload length, in bytes. */
  public long limit() {
    return limit;
  }

  @Override
  public String getMessage() {
    return "frame at position " + position() + " announces " + length + " payload bytes; this reader accepts at most " + limit;
  }
}
