package dev.fifochan.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The libraries' log (System.Logger, which writes through java.util.logging). The libraries log what an
 * operator of a long-running service wants (connections at INFO, refused paths and removed FIFOs at
 * WARNING); for the command those would be extra stderr lines beside its own one-line error, so the
 * command keeps them off, and with --verbose shows them as "fifochan: LEVEL: message" lines.
 *
 * <p>{@link #install} costs nothing at start-up: it only names {@link Config} as java.util.logging's
 * configuration class, which the JDK instantiates when something first logs (instead of reading the
 * JDK's logging.properties, whose console handler would print the two-line default format).
 */
public final class Logging {
  private static volatile boolean verbose;

  private Logging() {}

  /** Makes java.util.logging, whenever it starts, quiet, or with {@code verbose} print INFO and above. */
  static void install(boolean verbose) {
    Logging.verbose = verbose;
    if (System.getProperty("java.util.logging.config.class") == null
        && System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty("java.util.logging.config.class", Config.class.getName());
    }
  }

  /** Off, or with {@code verbose} INFO and above as "fifochan: LEVEL: message" lines (now, even if logging has started). */
  public static void configure(boolean verbose) {
    install(verbose);
    Logger.getLogger("").setLevel(verbose ? Level.INFO : Level.OFF);
  }

  /** java.util.logging's configuration class (public with a public constructor, as the JDK requires). */
  public static final class Config {
    /** Reads the command's logging configuration into the LogManager. */
    public Config() {
      String props = verbose
          ? "handlers=java.util.logging.ConsoleHandler\n.level=INFO\njava.util.logging.ConsoleHandler.level=INFO\n"
              + "java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter\n"
              + "java.util.logging.SimpleFormatter.format=fifochan: %4$s: %5$s%6$s%n\n"
          : "handlers=\n.level=OFF\n";
      try {
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(props.getBytes(StandardCharsets.ISO_8859_1)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
