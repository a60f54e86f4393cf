package dev.fifochan.cli;

import picocli.CommandLine.Option;

/** Options every subcommand has: --verbose and --progress / --no-progress. */
public final class CommonOptions {
  @Option(names = {"-v", "--verbose"}, description = "Show stack traces of failures and more detail on stderr.")
  boolean verbose;

  @Option(names = "--progress", negatable = true,
      description = "Live progress and rates on stderr (default: only when stderr is a terminal).")
  Boolean progress;

  /** Whether --verbose was given. */
  public boolean verbose() {
    return verbose;
  }

  /** Whether to show live progress: as asked, else when stderr is a terminal. */
  public boolean progress() {
    return progress != null ? progress : Terminal.stderrIsTerminal();
  }
}
