package dev.fifochan;

import java.util.Objects;

/**
 * A frame arrived whole and intact (its checksum, if any, matched) but its tag or header block breaks
 * a content rule of {@code docs/wire-format.md} §2.2, or a message transport carried its tag or a
 * header value in an encoding that cannot be decoded ({@link HeaderFault#VALUE_ENCODING}). Like any
 * {@link DecodeException} it fails one message: the next frame is intact.
 */
public final class MalformedFrameException extends DecodeException {
  private static final long serialVersionUID = 1L;

  /** What is malformed. */
  public enum Reason {
    /**
     * The type tag is not valid UTF-8 ({@link #tag()} shows it with replacement characters), or a
     * message transport carried it in an encoding that cannot be decoded (over NATS: an {@code fc-tag}
     * value starting with {@code b64:} whose rest is not base64; {@link #tag()} is then the value as
     * it arrived).
     */
    BAD_TAG,
    /** The header block breaks a rule; {@link #headerFault()} says which. */
    BAD_HEADERS
  }

  /** Which header rule a block breaks. */
  public enum HeaderFault {
    /** The HEADERS flag is set but the block has no entry. */
    EMPTY_BLOCK,
    /** An entry's key or value runs past the end of the block. */
    ENTRY_PAST_BLOCK,
    /** A key is empty or longer than 64 bytes. */
    KEY_LENGTH,
    /** A key has a byte outside {@code a-z 0-9 - . _}. */
    KEY_BYTE,
    /** A value is longer than 4096 bytes. */
    VALUE_LENGTH,
    /** A key occurs twice. */
    DUPLICATE_KEY,
    /** More than 64 entries. */
    TOO_MANY_ENTRIES,
    /**
     * A value arrived in a transport's encoding that cannot be decoded: over NATS, a header value that
     * starts with {@code b64:} and whose rest is not standard base64 ({@code docs/nats.md} §2). Never
     * from a byte stream, whose header values are raw bytes.
     */
    VALUE_ENCODING
  }

  private final Reason reason;
  private final HeaderFault headerFault;

  /**
   * @param reason what is malformed
   * @param headerFault for {@link Reason#BAD_HEADERS}: the broken rule; null otherwise
   * @param tag the tag (with replacement characters if it is the malformed part)
   * @param payload the raw payload (copied)
   * @param position the frame's first byte
   */
  public MalformedFrameException(Reason reason, HeaderFault headerFault, String tag, byte[] payload, long position) {
    super(tag, payload, position, null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.headerFault = headerFault;
  }

  /** What is malformed. */
  public Reason reason() {
    return reason;
  }

  /** The header rule the block breaks; null for {@link Reason#BAD_TAG}. */
  public HeaderFault headerFault() {
    return headerFault;
  }

  @Override
  public String getMessage() {
    if (reason == Reason.BAD_TAG) {
      return "malformed frame" + at() + ": its type tag is not valid UTF-8 (" + describeFrame() + ")";
    }
    if (headerFault == HeaderFault.VALUE_ENCODING) {
      return "malformed frame" + at() + ": a header value's transport encoding cannot be decoded (" + describeFrame() + ")";
    }
    return "malformed frame" + at() + ": its header block breaks a rule (" + headerFault + "; " + describeFrame() + ")";
  }
}
