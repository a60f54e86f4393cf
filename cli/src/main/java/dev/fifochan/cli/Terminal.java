package dev.fifochan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether stderr is a terminal, to decide on live progress output.
 *
 * <p>{@link System#console()} is not the right test: it answers for stdin and stdout, so it is null
 * exactly in the most common case, {@code fifochan recv F > out}, where progress on stderr is
 * welcome. This checks file descriptor 2 itself: on Linux {@code /proc/self/fd/2} links to
 * {@code /dev/pts/N} or {@code /dev/ttyN} when it is a terminal. No native call is needed.
 */
public final class Terminal {
  private Terminal() {}

  /** True if file descriptor 2 is a terminal device. */
  public static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
