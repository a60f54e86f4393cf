package dev.fifochan.cli;

import dev.fifochan.cli.demo.DemoCommand;
import dev.fifochan.cli.demo.DemoPeerCommand;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Entry point of the {@code fifochan} command ({@code java -jar fifochan.jar ...}). */
public final class Main {
  private Main() {}

  /** Runs the command and exits with its {@link ExitCode}. */
  public static void main(String[] args) {
    // stdout without autoflush (System.out flushes on every write): data goes out in 64 KiB blocks,
    // and commands flush whenever they would wait.
    PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
        false, StandardCharsets.UTF_8);
    FileOutputStream data = new FileOutputStream(FileDescriptor.out);
    CommandLine cl = commandLine(new Io(new FileInputStream(FileDescriptor.in), out, System.err, data));
    int code = cl.execute(args);
    out.flush();
    System.exit(code);
  }

  /**
   * Runs the command with the given streams and returns the exit status, without exiting; used by
   * {@link #main} and by in-process tests.
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CommandLine cl = commandLine(new Io(in, out, err));
    return cl.execute(args);
  }

  /** The configured picocli command tree. */
  static CommandLine commandLine(Io io) {
    CommandLine cl = new CommandLine(new FifochanCommand(io));
    cl.addSubcommand(new SendCommand());
    cl.addSubcommand(new RecvCommand());
    cl.addSubcommand(new InspectCommand());
    cl.addSubcommand(new MkfifoCommand());
    cl.addSubcommand(new DemoCommand());
    cl.addSubcommand(new DemoPeerCommand());
    cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
    cl.setExecutionExceptionHandler(new Reporter(io.err()));
    cl.setParameterExceptionHandler(new UsageReporter());
    Map<String, String> codes = new LinkedHashMap<>();
    for (ExitCode c : ExitCode.values()) {
      codes.put(String.format("%3d", c.code()), c.meaning());
    }
    applyExitCodes(cl, codes);
    return cl;
  }

  private static void applyExitCodes(CommandLine cl, Map<String, String> codes) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : cl.getSubcommands().values()) {
      applyExitCodes(sub, codes);
    }
  }

  /** Prints a failure as one line "fifochan CMD: message" (stack trace only with --verbose). */
  private static final class Reporter implements IExecutionExceptionHandler {
    private final PrintStream err;

    Reporter(PrintStream err) {
      this.err = err;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
      CliException failure = Failures.of(null, ex);
      err.println(cl.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
      if (isVerbose(parseResult)) {
        (failure.getCause() != null ? failure.getCause() : failure).printStackTrace(err);
      }
      err.flush();
      return failure.exitCode().code();
    }

    private static boolean isVerbose(ParseResult pr) {
      for (ParseResult r = pr; r != null; r = r.subcommand()) {
        if (r.hasMatchedOption("--verbose")) {
          return true;
        }
      }
      return false;
    }
  }

  /** Prints a usage error as one line plus a hint to --help; exit code 2. */
  private static final class UsageReporter implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String name = cl.getCommandSpec().qualifiedName();
      err.println(name + ": " + ex.getMessage());
      err.println("Try '" + name + " --help' for more information.");
      err.flush();
      return ExitCode.USAGE.code();
    }
  }
}
