package dev.fifochan.cli;

import java.time.Duration;

/** The command line's reading of an absent {@code --timeout}: wait as long as it takes. */
final class Timeouts {
  /** Stands for "no limit" where the library wants a duration (about ten years). */
  static final Duration FOREVER = Duration.ofDays(3650);

  private Timeouts() {}

  static Duration orForever(Duration timeout) {
    return timeout == null ? FOREVER : timeout;
  }
}
