package dev.fifochan.spi;

import dev.fifochan.Headers;
import dev.fifochan.MessageException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One record of a stream as {@link StreamInspector} shows it, in the shape of the test vectors
 * ({@code testdata/vectors}): an immutable snapshot with copies of its bytes.
 */
public final class InspectedRecord {

  /** The record kinds of wire format 1.1, named as in the vectors. */
  public enum Kind {
    /** {@code preamble}: {@link #version()}, {@link #codec()}. */
    PREAMBLE("preamble"),
    /** {@code frame}: {@link #flags()}, {@link #tag()}, {@link #headers()}, {@link #payload()}; {@link #error()} if malformed. */
    FRAME("frame"),
    /** {@code end}: a clean end of one writer session. */
    END("end"),
    /** {@code aborted}: an aborted end; {@link #reason()}. */
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
  private final String tag;
  private final Headers headers;
  private final byte[] payload;
  private final String reason;
  private final MessageException error;

  /**
   * @param kind the record kind
   * @param position the record's first byte
   * @param wireLength bytes the record occupies
   * @param version a preamble's version byte, else 0
   * @param codec a preamble's codec name, else null
   * @param flags a frame's flags byte, else 0
   * @param tag a frame's tag (invalid UTF-8 replaced), else ""
   * @param headers a frame's headers (immutable; empty if none or malformed)
   * @param payload the payload bytes (copied by the caller; not copied again)
   * @param reason an aborted end's reason, else null
   * @param error a malformed frame's per-message failure, else null
   */
  public InspectedRecord(Kind kind, long position, int wireLength, int version, String codec, int flags, String tag,
      Headers headers, byte[] payload, String reason, MessageException error) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.position = position;
    this.wireLength = wireLength;
    this.version = version;
    this.codec = codec;
    this.flags = flags;
    this.tag = tag == null ? "" : tag;
    this.headers = headers == null ? Headers.empty() : headers;
    this.payload = payload == null ? new byte[0] : payload;
    this.reason = reason;
    this.error = error;
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
    return tag;
  }

  /** A frame's headers (immutable); empty if none, or if the block is malformed. */
  public Headers headers() {
    return headers;
  }

  /** The payload (for an aborted end: the reason's bytes), read-only. */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  /** The payload length in bytes. */
  public int payloadLength() {
    return payload.length;
  }

  /** An aborted end's reason; null for other records. */
  public String reason() {
    return reason;
  }

  /** For a malformed frame (bad tag or headers): the per-message failure, after which the stream goes on; else null. */
  public MessageException error() {
    return error;
  }

  @Override
  public String toString() {
    return kind.vectorName() + "@" + position + (kind == Kind.PREAMBLE ? " codec=" + codec + " version=" + version
        : " flags=" + flags + " tag='" + tag + "' length=" + payload.length) + (error != null ? " " + error.getMessage() : "");
  }
}
