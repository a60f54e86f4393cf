package dev.fifochan.internal;

/**
 * The layout of wire format 1.1 ({@code docs/wire-format.md} §2): every offset, flag and limit named
 * once. All integers are unsigned big-endian.
 *
 * <p>Preamble (one per writer session):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |                  MAGIC  89 46 43 48                           |  0
 *  +---------------+---------------+-------------------------------+
 *  |    VERSION    |   CODEC-LEN   |  CODEC-NAME (1..64 bytes,      4
 *  +---------------+---------------+  printable ASCII) ...         |
 * </pre>
 *
 * <p>Frame (a message, an end of stream, an aborted end or a heartbeat):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-------------------------------------------------------------+
 *  |0|                 LENGTH (payload bytes)                      |  0
 *  +-+-------------+---------------+-------------------------------+
 *  |     FLAGS     |    TAG-LEN    |  TAG (0..255 bytes) ...          4
 *  +---------------+---------------+-------------------------------+
 *  |  HEADERS-LEN (iff HEADERS)    |  HEADER BLOCK (HEADERS-LEN) ... |
 *  +-------------------------------+-------------------------------+
 *  |                     PAYLOAD (LENGTH bytes) ...                |
 *  +---------------------------------------------------------------+
 *  |              CRC-32C of all bytes before (iff CHECKSUM)       |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Header block entry: {@code KEY-LEN(1) KEY(1..64 bytes of a-z 0-9 - . _) VALUE-LEN(2)
 * VALUE(0..4096 bytes)}; 1 to 64 entries, at most 8192 bytes, no key twice.
 *
 * <p>Record kinds by flags ({@code CHECKSUM} may be added to each): message {@code 0} or
 * {@code HEADERS}; end of stream {@code END_OF_STREAM} (length 0, no tag); aborted end
 * {@code END_OF_STREAM|ABORTED} (length 0..1024: the reason in UTF-8, no tag); heartbeat
 * {@code HEARTBEAT} (length 0, no tag).
 */
public final class FrameDescriptor {
  private FrameDescriptor() {}

  // ---- preamble
  /** The four magic bytes {@code 89 46 43 48} as a big-endian int. */
  public static final int MAGIC = 0x89464348;
  /** Offset of the magic in a preamble. */
  public static final int MAGIC_OFFSET = 0;
  /** Offset of the version byte in a preamble. */
  public static final int VERSION_OFFSET = 4;
  /** Offset of the codec-name length byte in a preamble. */
  public static final int CODEC_LENGTH_OFFSET = 5;
  /** Offset of the codec name in a preamble. */
  public static final int CODEC_NAME_OFFSET = 6;
  /** Bytes of a preamble before its codec name. */
  public static final int PREAMBLE_HEADER_LENGTH = CODEC_NAME_OFFSET;
  /** Longest codec name. */
  public static final int MAX_CODEC_NAME_LENGTH = 64;
  /** Lowest byte allowed in a codec name ({@code !}). */
  public static final int CODEC_NAME_MIN_BYTE = 0x21;
  /** Highest byte allowed in a codec name ({@code ~}). */
  public static final int CODEC_NAME_MAX_BYTE = 0x7E;
  /** Version byte of wire format 1.0. */
  public static final int VERSION_1_0 = 1;
  /** Version byte of wire format 1.1. */
  public static final int VERSION_1_1 = 2;

  // ---- frame
  /** Offset of the payload length in a frame. */
  public static final int LENGTH_OFFSET = 0;
  /** Offset of the flags byte in a frame. */
  public static final int FLAGS_OFFSET = 4;
  /** Offset of the tag length byte in a frame. */
  public static final int TAG_LENGTH_OFFSET = 5;
  /** Offset of the tag in a frame. */
  public static final int TAG_OFFSET = 6;
  /** Bytes of a frame before its tag. */
  public static final int FRAME_HEADER_LENGTH = TAG_OFFSET;
  /** Bytes of the header block length field (present iff {@link #FLAG_HEADERS}). */
  public static final int HEADERS_LENGTH_FIELD = 2;
  /** Bytes of the CRC-32C trailer (present iff {@link #FLAG_CHECKSUM}). */
  public static final int CHECKSUM_LENGTH = 4;
  /** Longest tag in bytes. */
  public static final int MAX_TAG_LENGTH = dev.fifochan.Codec.MAX_TAG_LENGTH;
  /** Mask of a length's top bit, which must be 0. */
  public static final int LENGTH_TOP_BIT = 0x8000_0000;

  /** Flag (1.0): the writer session ends here. */
  public static final int FLAG_END_OF_STREAM = 0x01;
  /** Flag (1.0): a CRC-32C trailer follows the payload. */
  public static final int FLAG_CHECKSUM = 0x02;
  /** Flag (1.1): a header block follows the tag. */
  public static final int FLAG_HEADERS = 0x04;
  /** Flag (1.1), with {@link #FLAG_END_OF_STREAM} only: the session ended with an error; the payload is the reason. */
  public static final int FLAG_ABORTED = 0x08;
  /** Flag (1.1): an idle writer is alive; not a message. */
  public static final int FLAG_HEARTBEAT = 0x10;
  /** Flags a 1.0 session may use. */
  public static final int FLAGS_1_0 = FLAG_END_OF_STREAM | FLAG_CHECKSUM;
  /** Flags a 1.1 session may use. */
  public static final int FLAGS_1_1 = FLAGS_1_0 | FLAG_HEADERS | FLAG_ABORTED | FLAG_HEARTBEAT;

  /** Longest aborted-end reason in bytes. */
  public static final int MAX_ABORT_REASON_LENGTH = 1024;

  // ---- headers
  /** Longest header block in bytes. */
  public static final int MAX_HEADERS_LENGTH = 8192;
  /** Most entries in a header block. */
  public static final int MAX_HEADER_ENTRIES = 64;
  /** Longest header key in bytes. */
  public static final int MAX_HEADER_KEY_LENGTH = 64;
  /** Longest header value in bytes. */
  public static final int MAX_HEADER_VALUE_LENGTH = 4096;
  /** Bytes of an entry's key length field. */
  public static final int HEADER_KEY_LENGTH_FIELD = 1;
  /** Bytes of an entry's value length field. */
  public static final int HEADER_VALUE_LENGTH_FIELD = 2;

  /** Default maximum payload length: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 16 << 20;

  /** Whether {@code b} may appear in a header key: {@code a-z 0-9 - . _}. */
  public static boolean isHeaderKeyByte(int b) {
    return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_';
  }

  /** Whether {@code b} may appear in a codec name. */
  public static boolean isCodecNameByte(int b) {
    return b >= CODEC_NAME_MIN_BYTE && b <= CODEC_NAME_MAX_BYTE;
  }

  /** Whether {@code name} is a valid codec name: 1 to 64 printable ASCII characters. */
  public static boolean isValidCodecName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_CODEC_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isCodecNameByte(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code key} is a valid header key: 1 to 64 characters of {@code a-z 0-9 - . _}. */
  public static boolean isValidHeaderKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_HEADER_KEY_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      if (!isHeaderKeyByte(key.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Flags this session's version allows. */
  public static int allowedFlags(boolean version11) {
    return version11 ? FLAGS_1_1 : FLAGS_1_0;
  }

  /** Wire size of a preamble with a codec name of {@code codecLength} bytes. */
  public static int preambleLength(int codecLength) {
    return PREAMBLE_HEADER_LENGTH + codecLength;
  }

  /** Wire size of a frame: header, tag, optional header block, payload, optional trailer. */
  public static long frameLength(int flags, int tagLength, int headersLength, long payloadLength) {
    return FRAME_HEADER_LENGTH + tagLength
        + ((flags & FLAG_HEADERS) != 0 ? HEADERS_LENGTH_FIELD + headersLength : 0)
        + payloadLength
        + ((flags & FLAG_CHECKSUM) != 0 ? CHECKSUM_LENGTH : 0);
  }
}
