package dev.fifochan.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A live progress line on stderr ({@code \r}-rewritten four times a second by a daemon thread):
 * messages, bytes and rates. A disabled progress does nothing. Close it to print the final line.
 */
public final class Progress implements AutoCloseable {
  private static final long PERIOD_MS = 250;
  private final PrintStream err;
  private final String label;
  private final LongSupplier messages;
  private final LongSupplier bytes;
  private final long total;
  private final Thread thread;
  private final long start = System.nanoTime();
  private volatile boolean stopped;

  private Progress(PrintStream err, String label, LongSupplier messages, LongSupplier bytes, long total, boolean enabled) {
    this.err = err;
    this.total = total;
    this.label = label;
    this.messages = messages;
    this.bytes = bytes;
    this.thread = enabled ? new Thread(this::loop, "fifochan-progress") : null;
    if (thread != null) {
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Starts a progress line if {@code enabled}; {@code bytes} may be null when unknown. */
  public static Progress start(boolean enabled, PrintStream err, String label, LongSupplier messages, LongSupplier bytes) {
    return new Progress(err, label, messages, bytes, -1, enabled);
  }

  /** Like {@link #start(boolean, PrintStream, String, LongSupplier, LongSupplier)}, out of {@code total} messages. */
  public static Progress start(boolean enabled, PrintStream err, String label, LongSupplier messages, LongSupplier bytes,
      long total) {
    return new Progress(err, label, messages, bytes, total, enabled);
  }

  private void loop() {
    while (!stopped) {
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
      if (!stopped) {
        print(false);
      }
    }
  }

  private synchronized void print(boolean last) {
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    long n = messages.getAsLong();
    StringBuilder line = new StringBuilder("\r").append(label).append(": ")
        .append(Units.count(n)).append(total >= 0 ? " of " + Units.count(total) : "").append(" msgs");
    if (bytes != null) {
      line.append(", ").append(Units.bytes(bytes.getAsLong()));
    }
    line.append(" in ").append(String.format("%.1f s", seconds)).append(", ")
        .append(Units.count(Math.round(n / seconds))).append(" msg/s");
    if (bytes != null) {
      line.append(", ").append(Units.bytes(Math.round(bytes.getAsLong() / seconds))).append("/s");
    }
    line.append("\u001b[K");
    err.print(line);
    if (last) {
      err.println();
    }
    err.flush();
  }

  /** Stops the updates and prints the final figures (if enabled). */
  @Override
  public void close() {
    if (thread == null || stopped) {
      return;
    }
    stopped = true;
    thread.interrupt();
    print(true);
  }
}
