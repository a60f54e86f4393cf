package dev.fifochan.spi;

import dev.fifochan.Headers;
import dev.fifochan.MessageException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One record of a stream as {@link StreamInspector} shows it, in the shape of the test vectors
 * ({@code testdata/vectors/README.md}): an immutable snapshot with copies of its bytes.
 */
public final class InspectedRecord {

  /** The record kinds of wire format 1.1, named as in the vectors. */
  public enum Kind {
    /** {@code preamble}: {@link #version()}, {@link #codec()}. */
    PREAMBLE("preamble"),
    /** {@code frame}: a message; {@link #error()} if its tag or header block is malformed. */
    FRAME("frame"),
    /** {@code end}: a clean end of one writer session. */
    END("end"),
    /** {@code aborted}: an aborted end; {@link #reason()} and the raw {@link #payload()}. */
    ABORTED("aborted"),
    /** {@code heartbeat}. */
    HEARTBEAT("heartbeat");

    private final String vectorName;

    Kind(String vectorName) {
      this.vectorName = vectorName;
    }

    /** The record's {@code kind} in the vectors' JSON. */
    public String vectorName() {
      return vectorName;
    }
  }

  private final Kind kind;
  private final long position;
  private final int wireLength;
  private final int version;
  private final String codec;
  private final int flags;
  private final byte[] tag;
  private final String tagText;
  private final Headers headers;
  private final byte[] headerBlock;
  private final byte[] payload;
  private final String reason;
  private final MessageException error;

  private InspectedRecord(Kind kind, long position, int wireLength, int version, String codec, int flags, byte[] tag,
      String tagText, Headers headers, byte[] headerBlock, byte[] payload, String reason, MessageException error) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.position = position;
    this.wireLength = wireLength;
    this.version = version;
    this.codec = codec;
    this.flags = flags;
    this.tag = tag == null ? new byte[0] : tag;
    this.tagText = tagText == null ? "" : tagText;
    this.headers = headers == null ? Headers.empty() : headers;
    this.headerBlock = headerBlock;
    this.payload = payload == null ? new byte[0] : payload;
    this.reason = reason;
    this.error = error;
  }

  /** A preamble record. */
  public static InspectedRecord preamble(long position, int wireLength, int version, String codec) {
    return new InspectedRecord(Kind.PREAMBLE, position, wireLength, version, codec, 0, null, null, null, null, null, null, null);
  }

  /**
   * A message frame record.
   *
   * @param tag the raw tag bytes (not copied)
   * @param tagText the tag as text (invalid UTF-8 replaced)
   * @param headers the decoded headers (immutable), empty if none or malformed
   * @param headerBlock the raw header block (not copied), null without the HEADERS flag
   * @param payload the payload (not copied)
   * @param error the per-message failure of a malformed frame, else null
   */
  public static InspectedRecord frame(long position, int wireLength, int flags, byte[] tag, String tagText, Headers headers,
      byte[] headerBlock, byte[] payload, MessageException error) {
    return new InspectedRecord(Kind.FRAME, position, wireLength, 0, null, flags, tag, tagText, headers, headerBlock, payload,
        null, error);
  }

  /** A clean end, aborted end (with {@code reason} and the raw {@code payload}) or heartbeat record. */
  public static InspectedRecord control(Kind kind, long position, int wireLength, int flags, byte[] payload, String reason) {
    if (kind == Kind.PREAMBLE || kind == Kind.FRAME) {
      throw new IllegalArgumentException("not a control record: " + kind);
    }
    return new InspectedRecord(kind, position, wireLength, 0, null, flags, null, null, null, null, payload, reason, null);
  }

  public Kind kind() {
    return kind;
  }

  /** Position of the record's first byte. */
  public long position() {
    return position;
  }

  /** Bytes the record occupies on the wire. */
  public int wireLength() {
    return wireLength;
  }

  /** A preamble's version byte (1 or 2); 0 for other records. */
  public int version() {
    return version;
  }

  /** A preamble's codec name; null for other records. */
  public String codec() {
    return codec;
  }

  /** A frame record's flags byte; 0 for a preamble. */
  public int flags() {
    return flags;
  }

  /** A frame's type tag ("" if none), invalid UTF-8 shown as replacement characters. */
  public String tag() {
    return tagText;
  }

  /** A frame's tag bytes as they arrived (a copy). */
  public byte[] rawTag() {
    return tag.clone();
  }

  /** A frame's headers in wire order (immutable); empty if none, or if the frame is malformed. */
  public Headers headers() {
    return headers;
  }

  /** A frame's header block as it arrived (a copy); null without the HEADERS flag. */
  public byte[] rawHeaderBlock() {
    return headerBlock == null ? null : headerBlock.clone();
  }

  /** The payload (for an aborted end: the reason's raw bytes), read-only. */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  /** The payload length in bytes. */
  public int payloadLength() {
    return payload.length;
  }

  /** An aborted end's reason (each run of invalid UTF-8 replaced by one U+FFFD); null for other records. */
  public String reason() {
    return reason;
  }

  /**
   * For a malformed frame (bad tag or headers): the per-message failure, after which the stream goes
   * on; else null. (The codec's own failures, {@code unknown_type} and {@code undecodable}, are the
   * caller's: the inspector does not decode payloads.)
   */
  public MessageException error() {
    return error;
  }

  @Override
  public String toString() {
    return kind.vectorName() + "@" + position + (kind == Kind.PREAMBLE ? " codec=" + codec + " version=" + version
        : " flags=" + flags + " tag='" + tagText + "' length=" + payload.length) + (error != null ? " " + error.getMessage() : "");
  }
}
