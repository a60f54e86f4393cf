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
    /**
     * The record exceeds what the transport carries in one message (bytes of record: payload plus
     * headers and framing): {@link #limit()} is the transport's (a NATS server's {@code max_payload}),
     * {@link #frameLimit()} fifochan's own, which a larger transport limit would still leave in force.
     */
    TRANSPORT
  }

  private final long length;
  private final long limit;
  private final Limit which;
  private final long frameLimit;

  /**
   * A refusal that names one limit; {@link #frameLimit()} is {@code limit} for {@link Limit#FRAME}, -1
   * (not given) otherwise.
   *
   * @param length the size the message has (unit: see {@link Limit})
   * @param limit the size allowed
   * @param which which limit
   */
  public MessageTooLongException(long length, long limit, Limit which) {
    this(length, limit, which, which == Limit.FRAME ? limit : -1);
  }

  /**
   * A refusal that also names fifochan's frame limit, e.g. a transport's: {@code (recordSize,
   * maxPayload, TRANSPORT, config.maxFrameLength())}.
   *
   * @param length the size the message has (unit: see {@link Limit})
   * @param limit the size allowed by the limit exceeded
   * @param which which limit
   * @param frameLimit {@link ChannelConfig#maxFrameLength()} in force (payload bytes), or -1 if not
   *     given; for {@link Limit#FRAME} it must equal {@code limit}
   * @throws IllegalArgumentException if {@code which} is {@code FRAME} and {@code frameLimit} is neither
   *     {@code limit} nor -1
   */
  public MessageTooLongException(long length, long limit, Limit which, long frameLimit) {
    super(-1, null);
    this.length = length;
    this.limit = limit;
    this.which = Objects.requireNonNull(which, "which");
    if (which == Limit.FRAME && frameLimit != limit && frameLimit != -1) {
      throw new IllegalArgumentException("a FRAME refusal's frame limit is its limit: " + frameLimit + " != " + limit);
    }
    this.frameLimit = which == Limit.FRAME ? limit : frameLimit < 0 ? -1 : frameLimit;
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

  /**
   * fifochan's frame limit in force where the message was refused ({@link ChannelConfig#maxFrameLength()},
   * payload bytes): {@link #limit()} for {@link Limit#FRAME}; for another limit the value its thrower
   * gave (a NATS sender gives it with {@link Limit#TRANSPORT}, so the exception names both the server's
   * {@code max_payload} and the frame limit that raising {@code max_payload} would leave), or -1 if not
   * given.
   */
  public long frameLimit() {
    return frameLimit;
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
        return "record of " + length + " bytes exceeds the transport's limit of " + limit + " bytes"
            + (frameLimit >= 0 ? " (the maximum frame length is " + frameLimit + ")" : "") + "; not sent";
    }
  }
}
