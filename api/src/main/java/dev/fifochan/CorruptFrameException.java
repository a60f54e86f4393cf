package dev.fifochan;

import java.util.Objects;

/**
 * The bytes are not a fifochan stream, or not any more: a record breaks a framing rule of
 * {@code docs/wire-format.md} §2.3 that makes the following bytes untrustworthy. {@link #value()} is
 * the offending number where there is one (see each {@link Reason}).
 */
public class CorruptFrameException extends StreamException {
  private static final long serialVersionUID = 1L;

  /** Which rule the record breaks. */
  public enum Reason {
    /** A frame before any preamble: not a fifochan stream ({@link #value()}: the first four bytes as a number). */
    NO_WRITER,
    /** A frame after every writer session ended ({@link #value()}: the first four bytes as a number). */
    AFTER_END,
    /** A frame length with its top bit set ({@link #value()}: the length as unsigned). */
    TOP_BIT_LENGTH,
    /** Flag bits set that are reserved in this session's wire version ({@link #value()}: the flags byte). */
    RESERVED_FLAGS,
    /** A combination of flags that is no record kind ({@link #value()}: the flags byte). */
    BAD_COMBINATION,
    /**
     * A tag or payload length that the record kind forbids, e.g. an end of stream with a payload or an
     * aborted end with a reason over 1024 bytes ({@link #value()}: the payload length).
     */
    BAD_RECORD_LENGTH,
    /** A preamble codec-name length of 0 or over 64 ({@link #value()}: that length). */
    CODEC_NAME_LENGTH,
    /** A preamble codec name with a byte outside 0x21-0x7E ({@link #value()}: that byte). */
    CODEC_NAME_BYTES,
    /** A header block longer than 8192 bytes ({@link #value()}: its announced length). */
    HEADERS_TOO_LONG,
    /** The CRC-32C trailer does not match: see {@link ChecksumMismatchException}. */
    CHECKSUM,
    /**
     * Not fifochan's wire format: in protobuf's length-delimited format (the protobuf codec's
     * compatibility mode), a length prefix that is no valid varint ({@link #value()}: its byte count).
     */
    VARINT_LENGTH
  }

  private final Reason reason;
  private final long value;

  /**
   * @param reason the rule the record breaks
   * @param position the record's first byte
   * @param value the offending number (see {@link Reason}), or -1
   */
  public CorruptFrameException(Reason reason, long position, long value) {
    super(position, null);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.value = value;
  }

  /** The rule the record breaks. */
  public Reason reason() {
    return reason;
  }

  /** The offending number, as documented for each {@link Reason}; -1 if none. */
  public long value() {
    return value;
  }

  @Override
  public String getMessage() {
    return "corrupt stream at position " + position() + ": " + describe();
  }

  String describe() {
    switch (reason) {
      case NO_WRITER:
        return "a frame before any preamble (first bytes " + hex8(value) + "): not a fifochan stream";
      case AFTER_END:
        return "a frame after every writer session had ended (first bytes " + hex8(value) + ")";
      case TOP_BIT_LENGTH:
        return "frame length " + hex8(value) + " has its top bit set";
      case RESERVED_FLAGS:
        return String.format("reserved flag bits set in flags %02x", value);
      case BAD_COMBINATION:
        return String.format("flags %02x are no record kind", value);
      case BAD_RECORD_LENGTH:
        return "a record of length " + value + " or with a tag, which its kind forbids";
      case CODEC_NAME_LENGTH:
        return "preamble codec-name length " + value + " is not 1..64";
      case CODEC_NAME_BYTES:
        return String.format("preamble codec name has byte %02x, outside printable ASCII", value);
      case HEADERS_TOO_LONG:
        return "header block of " + value + " bytes exceeds 8192";
      case VARINT_LENGTH:
        return "a length prefix of " + value + " bytes is no valid varint";
      default:
        return "checksum mismatch";
    }
  }

  private static String hex8(long v) {
    return String.format("%08x", v & 0xFFFFFFFFL);
  }
}
