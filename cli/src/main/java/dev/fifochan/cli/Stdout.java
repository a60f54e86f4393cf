package dev.fifochan.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * stdout as the commands write data to it, and the one place that tells a reader that closed it
 * from any other failure to write it.
 *
 * <ul>
 *   <li>Its reader is gone (EPIPE, e.g. {@code recv F | head}): the command stops quietly with
 *       {@link ExitCode#BROKEN_PIPE} (141), as SIGPIPE stops other tools.
 *   <li>Anything else (ENOSPC on a full disk or {@code > /dev/full}, EIO, ...): an I/O error,
 *       {@link ExitCode#ERROR} (1), one line on stderr that names the error and says what happened to
 *       the data ({@link #failed}).
 * </ul>
 *
 * <p>EPIPE is recognized by the message {@code FileOutputStream} gives it, strerror(EPIPE):
 * "Broken pipe" (glibc's text in the C and English locales; the JVM does not translate it unless
 * glibc's translations for the locale are installed). A failure with any other message is an I/O
 * error, so a translated EPIPE would be reported as one line and exit 1 rather than hidden.
 *
 * <p>The stream also brings out a failure that a {@link PrintStream} underneath would hide (the
 * in-process runs hand one in as stdout): after each write and flush it asks
 * {@link PrintStream#checkError()}. It remembers the first failure ({@link #failure()}), so that a
 * {@link PrintStream} put over it (as {@code inspect} does) can tell which one it was.
 */
public final class Stdout extends OutputStream {
  private final OutputStream target;
  private volatile IOException failure;

  /** Writes to {@code target} (the unbuffered stdout of {@link Io#data()}). */
  public Stdout(OutputStream target) {
    this.target = Objects.requireNonNull(target, "target");
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    rethrow();
    try {
      target.write(b, off, len);
      checkHidden();
    } catch (IOException e) {
      throw remember(e);
    }
  }

  @Override
  public void flush() throws IOException {
    rethrow();
    try {
      target.flush();
      checkHidden();
    } catch (IOException e) {
      throw remember(e);
    }
  }

  /** The first failure to write stdout, or null. */
  public IOException failure() {
    return failure;
  }

  private void rethrow() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private void checkHidden() throws IOException {
    if (target instanceof PrintStream && ((PrintStream) target).checkError()) {
      throw new IOException("write failed (the error itself was hidden by a PrintStream)");
    }
  }

  private IOException remember(IOException e) {
    if (failure == null) {
      failure = e;
    }
    return failure;
  }

  /** A text printer over this stream, buffered in 64 KiB: {@link #check} it after its last flush. */
  public PrintStream printer() {
    return new PrintStream(new java.io.BufferedOutputStream(this, 1 << 16), false, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Flushes {@code printer} (one of {@link #printer()}) and returns {@link ExitCode#OK}'s code if
   * everything printed reached stdout, else {@link #failed}'s outcome.
   *
   * @param data what happened to the data if stdout failed
   * @throws CliException if stdout failed for another reason than a reader that left
   */
  public int check(PrintStream printer, String data) throws CliException {
    printer.flush();
    if (!printer.checkError()) {
      return ExitCode.OK.code();
    }
    return failed(failure != null ? failure : new IOException("write failed"), data);
  }

  /** Whether {@code e} (or a cause of it) says stdout's reader is gone: EPIPE, "Broken pipe". */
  static boolean readerGone(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
      String m = t.getMessage();
      if (t instanceof IOException && m != null && m.strip().equalsIgnoreCase("Broken pipe")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The exit status for a failure to write stdout: 141 (quietly) if its reader is gone, else a
   * {@link CliException} ({@link ExitCode#ERROR}) "writing stdout failed (CAUSE); {@code data}".
   *
   * @param data what happened to the data, e.g. "3 messages reached it; the 2 received after them
   *     are lost"
   * @throws CliException for any failure but a closed reader
   */
  public static int failed(IOException e, String data) throws CliException {
    if (readerGone(e)) {
      return ExitCode.BROKEN_PIPE.code();
    }
    throw new CliException(ExitCode.ERROR, "writing stdout failed (" + cause(e) + "); " + data, e);
  }

  private static String cause(IOException e) {
    Throwable t = e;
    while (t.getCause() instanceof IOException && t.getMessage() != null && t.getCause().getMessage() != null
        && t.getMessage().equals(t.getCause().getMessage())) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  /** "1 message" or "N messages". */
  static String messages(long n) {
    return n + (n == 1 ? " message" : " messages");
  }
}
