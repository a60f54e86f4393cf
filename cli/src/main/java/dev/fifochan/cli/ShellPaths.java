package dev.fifochan.cli;

import java.nio.file.Path;

/**
 * Paths a shell hands over for the standard streams. The FIFO transport opens {@code /dev/stdin},
 * {@code /dev/fd/N} and {@code /proc/self/fd/N} through the descriptor the process holds; the CLI
 * adds {@code -}, and points every name of stdout at the launcher's copy of it (the JVM's own
 * descriptor 1 is the launcher's stderr, see {@code -Dfifochan.stdout.fd}).
 */
final class ShellPaths {
  private ShellPaths() {}

  /** The path to read: {@code -} is stdin. */
  static Path forReading(Path path) {
    return path.toString().equals("-") ? Path.of("/dev/stdin") : path;
  }

  /** The path to write: {@code -}, {@code /dev/stdout}, {@code /dev/fd/1}, {@code /proc/self/fd/1} are stdout. */
  static Path forWriting(Path path) throws CliException {
    String p = path.toString();
    if (p.equals("-") || p.equals("/dev/stdout") || p.equals("/dev/fd/1") || p.equals("/proc/self/fd/1")) {
      return Path.of("/proc/self/fd/" + Cli.stdoutDescriptor());
    }
    return path;
  }

  /** Whether {@code path} names a descriptor the process holds (as the transport reads such names). */
  static boolean isDescriptor(Path path) {
    String p = path.toString();
    return p.equals("-") || p.startsWith("/dev/std") || Descriptors.named(p) >= 0 || p.startsWith("/proc/");
  }
}
