package dev.fifochan.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The libraries' log (System.Logger, which writes through java.util.logging): request/response logs
 * connections at INFO, which would put lines on stderr that are neither errors nor progress. Commands
 * that use it turn it off, or with --verbose show it one line per record. Not done for every command:
 * setting up java.util.logging costs start-up time that send and recv do not need to spend.
 */
public final class Logging {
  private Logging() {}

  /** Off, or with {@code verbose} INFO and above as "fifochan: LEVEL: message" lines. */
  public static void configure(boolean verbose) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "fifochan: %4$s: %5$s%6$s%n");
    }
    Logger.getLogger("").setLevel(verbose ? Level.INFO : Level.OFF);
  }
}
