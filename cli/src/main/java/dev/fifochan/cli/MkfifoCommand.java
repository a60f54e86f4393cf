package dev.fifochan.cli;

import dev.fifochan.fifo.Fifo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fifochan mkfifo}: creates a FIFO with exact permissions (the umask does not apply). */
@Command(name = "mkfifo", mixinStandardHelpOptions = true,
    description = {"Create a FIFO with exactly the given permissions (the umask does not apply).",
        "Refuses a path that exists, and a directory that others may write to without the sticky bit."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan mkfifo /tmp/events", "  fifochan mkfifo --mode 660 /run/app/commands"})
public final class MkfifoCommand implements Callable<Integer> {
  @Mixin
  private CommonOptions common;

  @Option(names = {"-m", "--mode"}, paramLabel = "OCTAL", defaultValue = "600", converter = ModeConverter.class,
      description = "Permission bits (default: ${DEFAULT-VALUE}).")
  private int mode;

  @Parameters(paramLabel = "PATH", description = "Where to create the FIFO.")
  private Path path;

  @Override
  public Integer call() throws Exception {
    try {
      Fifo.create(path, mode);
    } catch (IOException e) {
      throw Failures.of(path.toString(), e);
    }
    return ExitCode.OK.code();
  }
}
