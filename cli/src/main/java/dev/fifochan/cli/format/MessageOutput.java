package dev.fifochan.cli.format;

import java.io.IOException;

/** Messages written to a byte stream (buffered: call {@link #flush()}). */
public interface MessageOutput<T> {
  /** Writes one message. */
  void write(T message) throws IOException;

  /** Writes out what is buffered. */
  void flush() throws IOException;
}
