package dev.fifochan.cli;

import java.io.InputStream;
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

  /** Streams for one run. */
  public Io(InputStream in, PrintStream out, PrintStream err) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
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
