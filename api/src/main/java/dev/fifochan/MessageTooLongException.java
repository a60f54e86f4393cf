package dev.fifochan;

import java.util.Objects;

/**
 * A sender refused a message that exceeds a limit. Nothing of it was sent and the sender stays usable.
 * (A reader meeting a frame over its limit throws {@link FrameTooLongException}, a stream failure.)
 */
public final class MessageTooLongException extends MessageException {
  private static final long serialVersionUID = 1L;

  /** Which limit the message exceeds; {@link #length()} and {@link #limit()} are in its unit. */
  public enum Limit {
    /** The payload exceeds {@link ChannelConfig#maxFrameLength()} (bytes of payload). */
    FRAME,
    /**
     * The whole record exceeds the transport's atomic-write size (bytes of record): a fan-in FIFO
     * writes records of at most {@code PIPE_BUF} bytes so that writers never interleave.
     */
    ATOMIC_WRITE,
    /**
     * The header set exceeds a header limit: a value over 4096 bytes, over 64 entries, or a block over
     * 8192 bytes ({@link #length()} and {@link #limit()} are of the limit exceeded).
     */
    HEADERS,
    /** The record exceeds what the transport carries in one message (e.g. a NATS server's max_payload). */
    TRANSPORT
  }

  private final long length;
  private final long limit;
  private final Limit which;

  /**
   * @param length the size the message has (unit: see {@link Limit})
   * @param limit the size allowed
   * @param which which limit
   */
  public MessageTooLongException(long length, long limit, Limit which) {
    super(-1, null);
    this.length = length;
    this.limit = limit;
    this.which = Objects.requireNonNull(which, "which");
  }

  /** The size the message has (or, while encoding, had reached when it was refused). */
  public long length() {
    return length;
  }

  /** The size allowed. */
  public long limit() {
    return limit;
  }

  /** Which limit was exceeded. */
  public Limit which() {
    return which;
  }

  @Override
  public String getMessage() {
    switch (which) {
      case FRAME:
        return "message payload of " + length + " bytes exceeds the maximum frame length of " + limit + "; not sent";
      case ATOMIC_WRITE:
        return "record of " + length + " bytes exceeds the atomic write size of " + limit + " bytes; not sent";
      case HEADERS:
        return "headers exceed a limit (" + length + " > " + limit + "); not sent";
      default:
        return "record of " + length + " bytes exceeds the transport's limit of " + limit + " bytes; not sent";
    }
  }
}
