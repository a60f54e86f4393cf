package dev.fifochan.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code fifochan} command; it only dispatches to its subcommands. */
@Command(name = "fifochan", mixinStandardHelpOptions = true, version = "fifochan 1.0.0 (wire format 1.1; reads 1.0 and 1.1)",
    description = {"Typed messages over Linux named pipes (FIFOs).",
        "Run 'fifochan demo' for a round trip between two processes with the JSON and protobuf codecs."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan demo",
        "  fifochan mkfifo /tmp/events",
        "  fifochan recv /tmp/events > events.jsonl &",
        "  fifochan send --type event /tmp/events < input.jsonl",
        "  fifochan inspect capture.bin"})
public final class FifochanCommand implements Callable<Integer> {
  private final Io io;

  @Spec
  CommandSpec spec;

  FifochanCommand(Io io) {
    this.io = io;
  }

  /** The standard streams of this run. */
  public Io io() {
    return io;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: one of send, recv, inspect, tee, call, serve, bridge, mkfifo, demo, generate-completion");
  }
}
