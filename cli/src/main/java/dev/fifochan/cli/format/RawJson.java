package dev.fifochan.cli.format;

import java.util.Objects;

/**
 * One JSON document exactly as it was written (validated, never re-serialized), with the frame's
 * type tag. The CLI moves JSON through as raw bytes so that numbers and escapes are not rewritten.
 */
public final class RawJson {
  private final String tag;
  private final byte[] bytes;

  /** A document and its tag ("" for none); {@code bytes} is not copied. */
  public RawJson(String tag, byte[] bytes) {
    this.tag = Objects.requireNonNull(tag, "tag");
    this.bytes = Objects.requireNonNull(bytes, "bytes");
  }

  /** The frame's type tag, "" if none. */
  public String tag() {
    return tag;
  }

  /** The UTF-8 JSON text (not a copy). */
  public byte[] bytes() {
    return bytes;
  }
}
