package dev.fifochan;

/** Constants of wire format version 1 ({@code docs/wire-format.md}). */
public final class WireFormat {
  /** The four preamble magic bytes {@code 89 46 43 48} as a big-endian int. */
  public static final int MAGIC = 0x89464348;
  /** The wire format version this library writes and reads. */
  public static final int VERSION = 1;
  /** Bytes before a preamble's codec name: magic, version, codec-name length. */
  public static final int PREAMBLE_HEADER_LENGTH = 6;
  /** Bytes before a frame's tag: length, flags, tag length. */
  public static final int FRAME_HEADER_LENGTH = 6;
  /** Bytes of a CRC-32C trailer. */
  public static final int CHECKSUM_LENGTH = 4;
  /** Frame flag: clean end of one writer's stream. */
  public static final int FLAG_END_OF_STREAM = 0x01;
  /** Frame flag: a CRC-32C trailer follows the payload. */
  public static final int FLAG_CHECKSUM = 0x02;
  /** Longest codec name in a preamble. */
  public static final int MAX_CODEC_NAME_LENGTH = 64;
  /** Longest type tag, in UTF-8 bytes. */
  public static final int MAX_TAG_LENGTH = 255;
  /** Default maximum payload length: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 16 << 20;
  /** Largest write POSIX guarantees to be atomic on a pipe (Linux: 4096). */
  public static final int PIPE_BUF = 4096;

  private WireFormat() {}

  /** Whether {@code name} is a valid codec name: 1 to 64 printable ASCII characters. */
  public static boolean isValidCodecName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_CODEC_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
