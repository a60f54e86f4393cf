package dev.fifochan;

/**
 * The wire format version a writer announces in its preamble ({@code docs/wire-format.md} §2.1). A
 * FIFO is one-way, so a writer cannot learn its reader's version: it announces what its stream may
 * contain. Readers read both versions. Upgrade readers first, or pin writers to {@link #V1_0} until
 * then.
 */
public enum WireVersion {
  /**
   * Format 1.0 (preamble version byte 1): byte for byte what fifochan 0.1 wrote. Headers are refused
   * ({@link IllegalStateException}), no heartbeats are sent, and {@link Sender#abort(String)} closes
   * the transport without an end-of-stream frame, so the reader reports a truncated stream (the reason
   * is lost).
   */
  V1_0(1),
  /** Format 1.1 (preamble version byte 2): adds per-frame headers, aborted ends and heartbeats. The default. */
  V1_1(2);

  private final int versionByte;

  WireVersion(int versionByte) {
    this.versionByte = versionByte;
  }

  /** The preamble's version byte: 1 for 1.0, 2 for 1.1. */
  public int versionByte() {
    return versionByte;
  }

  /** The version whose preamble byte is {@code b}, or null if there is none. */
  public static WireVersion ofVersionByte(int b) {
    for (WireVersion v : values()) {
      if (v.versionByte == b) {
        return v;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return this == V1_0 ? "1.0" : "1.1";
  }
}
