package dev.fifochan.cli.format;

import dev.fifochan.Codec;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How {@code send} turns stdin into messages and {@code recv} turns messages into stdout, for one
 * codec: the codec itself plus its text (or binary) representation.
 *
 * @param <T> the message type of the codec
 */
public interface MessageFormat<T> {
  /** The codec that frames the messages. */
  Codec<T> codec();

  /** The class of the messages (the response type of a call). */
  Class<T> type();

  /** Reads messages from {@code in} (stdin). */
  MessageInput<T> input(InputStream in);

  /** Writes messages to {@code out} (stdout). */
  MessageOutput<T> output(OutputStream out);

  /**
   * {@code message} as one JSON value, as {@code inspect --json} shows a frame's {@code value} (the
   * test vectors' form): null for a codec without one ({@code bytes}).
   */
  default String valueJson(T message) throws java.io.IOException {
    return null;
  }
}
