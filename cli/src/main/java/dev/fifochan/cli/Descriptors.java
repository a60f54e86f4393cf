package dev.fifochan.cli;

import java.io.FileDescriptor;
import java.lang.reflect.Field;

/**
 * File descriptors this process already holds, by number: the launcher's copy of stdout
 * ({@code -Dfifochan.stdout.fd}) and the descriptors a shell hands over as {@code /dev/fd/N}.
 *
 * <p>Java has no public way to wrap a descriptor number other than 0, 1 and 2, so this sets the
 * number into a {@link FileDescriptor} by reflection. The jar's manifest opens {@code java.io} to
 * it ({@code Add-Opens: java.base/java.io}), which applies when it runs with {@code java -jar}, as
 * the launcher runs it.
 */
public final class Descriptors {
  private Descriptors() {}

  /**
   * A {@link FileDescriptor} for descriptor {@code fd}, which must be open; it is not closed by
   * the streams built over it when they are garbage-collected.
   *
   * @throws CliException {@link ExitCode#CANNOT_RUN} when {@code java.io} is not open to this code
   */
  public static FileDescriptor of(int fd) throws CliException {
    switch (fd) {
      case 0:
        return FileDescriptor.in;
      case 1:
        return FileDescriptor.out;
      case 2:
        return FileDescriptor.err;
      default:
        break;
    }
    try {
      Field field = FileDescriptor.class.getDeclaredField("fd");
      field.setAccessible(true);
      FileDescriptor d = new FileDescriptor();
      field.setInt(d, fd);
      return d;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new CliException(ExitCode.CANNOT_RUN, "cannot use file descriptor " + fd + " (" + e
          + "): run fifochan through its launcher, or give java --add-opens java.base/java.io=ALL-UNNAMED", e);
    }
  }

  /**
   * The descriptor that {@code path} names, which this process already holds: 0 for {@code -} and
   * {@code /dev/stdin}, N for {@code /dev/fd/N} and {@code /proc/self/fd/N} (what a shell's process
   * substitution {@code <(...)} hands over); -1 for any other path. Reading the descriptor itself,
   * rather than opening the path again, works for every kind of file behind it (a pipe, a socket,
   * a FIFO whose writer is already there, a regular file at its current offset) and involves no
   * path that could change in between.
   */
  public static int named(String path) {
    if (path.equals("-") || path.equals("/dev/stdin")) {
      return 0;
    }
    for (String prefix : new String[] {"/dev/fd/", "/proc/self/fd/"}) {
      if (path.startsWith(prefix) && path.length() > prefix.length() && path.length() <= prefix.length() + 9
          && path.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Integer.parseInt(path.substring(prefix.length()));
      }
    }
    return -1;
  }

  /**
   * A usage error for {@code command} given a path that names a descriptor ({@link #named}):
   * {@code send} and {@code recv} open FIFOs by path through the FIFO transport, which does not take
   * descriptors yet (and refuses {@code /dev/stdin} and {@code /dev/fd/N} as symbolic links).
   */
  public static void refuseNamed(String command, java.nio.file.Path path) throws CliException {
    String p = path.toString();
    if (named(p) >= 0 || p.equals("/dev/stdout") || p.equals("/dev/stderr")) {
      throw new CliException(ExitCode.USAGE, path + ": " + command + " takes the path of a FIFO; the standard"
          + " streams and descriptors ('-', /dev/stdin, /dev/stdout, /dev/fd/N) are not supported yet (inspect reads them)");
    }
  }
}
