package dev.fifochan.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --create} and {@code --mode} options shared by {@code send}, {@code recv} and {@code tee}. */
public final class CreateOptions {
  @Option(names = "--create", description = "Create the FIFO (mode --mode) if it does not exist.")
  private boolean create;

  @Option(names = "--mode", paramLabel = "OCTAL", defaultValue = "600", converter = ModeConverter.class,
      description = "Permissions of a FIFO created with --create (default: ${DEFAULT-VALUE}).")
  private int mode;

  /** Whether a missing FIFO is created. */
  public boolean create() {
    return create;
  }

  /** The permission bits of a created FIFO. */
  public int mode() {
    return mode;
  }

  /**
   * The failure to open {@code fifo}, as one line: a missing FIFO suggests {@code --create} (when
   * it was not given), a missing directory is named as such (--create would not help).
   */
  public CliException openFailure(Path fifo, IOException e) {
    if (e instanceof NoSuchFileException) {
      String missing = ((NoSuchFileException) e).getFile();
      if (missing != null && !Path.of(missing).equals(fifo)) {
        return new CliException(ExitCode.ERROR, fifo + ": no such directory: " + missing, e);
      }
      if (!create) {
        return new CliException(ExitCode.ERROR, fifo + ": no such file or directory (add --create to make the FIFO)", e);
      }
    }
    return Failures.of(fifo.toString(), e);
  }
}
