package dev.fifochan.cli;

import picocli.CommandLine.Option;

/** The {@code --create} and {@code --mode} options shared by {@code send} and {@code recv}. */
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
}
