package dev.fifochan.cli.format;

/** The codecs the command line offers (the values of {@code --codec}). */
public enum CodecName {
  /** One JSON document per line (the default). */
  json,
  /** One line of UTF-8 text per message. */
  string,
  /** Raw bytes, framed on stdin/stdout as {@code --bytes-framing} says. */
  bytes,
  /** Protobuf messages as JSON lines; needs {@code --descriptor-set}. */
  protobuf
}
