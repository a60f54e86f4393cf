package dev.fifochan.cli.format;

import dev.fifochan.cli.CliException;
import java.io.IOException;

/** Messages read from a byte stream, one at a time. */
public interface MessageInput<T> {
  /**
   * The next message, or {@code null} at the end of the input.
   *
   * @throws CliException ({@link dev.fifochan.cli.ExitCode#BAD_MESSAGE}) for input that is not a
   *     valid message, naming where it is (e.g. "stdin line 7")
   */
  T next() throws IOException, CliException;
}
