package dev.fifochan.cli.format;

/** How {@code --codec bytes} delimits messages on stdin and stdout. */
public enum BytesFraming {
  /** All of stdin is one message; received payloads are written back to back, unframed. */
  whole,
  /** Each message is a 4-byte big-endian length followed by that many bytes, in and out. */
  u32
}
