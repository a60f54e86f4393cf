package dev.fifochan.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The standard streams a command uses: stdin for data in, stdout for data only, stderr for
 * messages and progress. Passed in rather than read from {@link System} so that tests can run the
 * command in-process.
 */
public final class Io {
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final OutputStream data;

  /** Streams for one run; data goes to {@code out} too. */
  public Io(InputStream in, PrintStream out, PrintStream err) {
    this(in, out, err, out);
  }

  /**
   * Streams for one run; {@code data} is stdout unbuffered and unwrapped, for received messages, so
   * that a closed stdout fails the write (a {@link PrintStream} would hide it).
   */
  public Io(InputStream in, PrintStream out, PrintStream err, OutputStream data) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.data = Objects.requireNonNull(data, "data");
  }

  /** stdout for message data, where write failures are reported (callers buffer). */
  public OutputStream data() {
    return data;
  }

  /** Data in. */
  public InputStream in() {
    return in;
  }

  /** Data out, nothing else. */
  public PrintStream out() {
    return out;
  }

  /** Messages and progress. */
  public PrintStream err() {
    return err;
  }
}
