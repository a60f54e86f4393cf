package dev.fifochan.fifo.internal;

import dev.fifochan.fifo.FifoBusyException;
import dev.fifochan.fifo.UnsafeFifoException;
import java.lang.System.Logger.Level;

/**
 * The FIFO transport's log ({@code System.Logger} {@code dev.fifochan.fifo}), for what an operator
 * needs: refused paths and busy FIFOs (WARNING), FIFOs removed (WARNING) or created anew (INFO) under
 * a waiting end or a follower, and a follower's writer sessions (DEBUG; a failed one INFO). Never on
 * the per-message path. The logger is looked up on first use, not when the first FIFO is opened.
 */
public final class Log {
  private Log() {}

  /** The logger, made on first use (the first open of a FIFO does not pay for the logging set-up). */
  private static final class Holder {
    static final System.Logger LOGGER = System.getLogger("dev.fifochan.fifo");
  }

  /** Logs {@code format} ({@link java.text.MessageFormat}) with {@code args} if {@code level} is enabled. */
  public static void log(Level level, String format, Object... args) {
    System.Logger l = Holder.LOGGER;
    if (l.isLoggable(level)) {
      l.log(level, format, args);
    }
  }

  /** Logs a refused path at WARNING; returns the exception to throw. */
  public static UnsafeFifoException refused(UnsafeFifoException e) {
    log(Level.WARNING, "{0}", e.getMessage()); // "refusing PATH: it ..."
    return e;
  }

  /** Logs a second reader refused at WARNING; returns the exception to throw. */
  public static FifoBusyException busy(FifoBusyException e) {
    log(Level.WARNING, "refused a second reader: {0}", e.getMessage());
    return e;
  }
}
