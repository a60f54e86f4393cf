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
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code fifochan} command: {@link #main} runs it in this process (entered through {@link Main}),
 * {@link #run} runs it with given streams (in-process tests, the CDS training run).
 */
public final class Cli {
  private Cli() {}

  /**
   * Runs the command and exits with its {@link ExitCode}. Whatever fails, in whichever thread,
   * ends as one line on stderr (a stack trace only with {@code --verbose}) and a documented code.
   */
  static void main(String[] args) {
    Fatal fatal = new Fatal(System.err, Fatal.verboseIn(args));
    Thread.setDefaultUncaughtExceptionHandler(fatal);
    Logging.install(Fatal.verboseIn(args)); // the libraries' log lines only with --verbose
    int code;
    PrintStream out = null;
    try {
      // stdout: the launcher's copy of it (the JVM's own stdout is the launcher's stderr), else fd 1.
      FileDescriptor stdout = Descriptors.of(stdoutDescriptor());
      // Without autoflush (System.out flushes on every write): data goes out in 64 KiB blocks, and
      // commands flush whenever they would wait.
      out = new PrintStream(new BufferedOutputStream(new FileOutputStream(stdout), 1 << 16), false, StandardCharsets.UTF_8);
      CommandLine cl = commandLine(new Io(new FileInputStream(FileDescriptor.in), out, System.err,
          new FileOutputStream(stdout)), args);
      code = cl.execute(args);
    } catch (Throwable t) {
      code = fatal.report(t);
    } finally {
      if (out != null) {
        out.flush();
      }
    }
    System.exit(code);
  }

  /** The descriptor number of stdout: {@code -Dfifochan.stdout.fd} (set by the launcher), else 1. */
  static int stdoutDescriptor() throws CliException {
    String fd = System.getProperty("fifochan.stdout.fd");
    if (fd == null) {
      return 1;
    }
    try {
      return Integer.parseInt(fd);
    } catch (NumberFormatException e) {
      throw new CliException(ExitCode.CANNOT_RUN, "-Dfifochan.stdout.fd=" + fd + " is not a descriptor number");
    }
  }

  /**
   * Runs the command with the given streams and returns the exit status, without exiting; used by
   * {@link #main} and by in-process tests.
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CommandLine cl = commandLine(new Io(in, out, err), args);
    return cl.execute(args);
  }

  /** The subcommands, by name, in the order the help lists them. */
  private static final String[] NAMES = {"send", "recv", "inspect", "tee", "call", "serve", "bridge", "mkfifo", "demo",
      "demo-peer", "generate-completion"};

  private static Object subcommand(String name) {
    switch (name) {
      case "send":
        return new SendCommand();
      case "recv":
        return new RecvCommand();
      case "inspect":
        return new InspectCommand();
      case "tee":
        return new TeeCommand();
      case "call":
        return new CallCommand();
      case "serve":
        return new ServeCommand();
      case "bridge":
        return new BridgeCommand();
      case "mkfifo":
        return new MkfifoCommand();
      case "demo":
        return new DemoCommand();
      case "demo-peer":
        return new DemoPeerCommand();
      default:
        return new AutoComplete.GenerateCompletion();
    }
  }

  /** The whole command tree (every subcommand: the root's help, completion, training). */
  static CommandLine commandLine(Io io) {
    return commandLine(io, new String[0]);
  }

  /**
   * The command tree for {@code args}: when they start with a subcommand's name, only that
   * subcommand is built. picocli builds a command's model by reflection over its annotations, and
   * its classes cannot go into the class-data sharing archive (Java 5 class files), so building the
   * other ten commands would cost most of a short run's start-up (about 0.3 s of CPU here). The root's
   * help, usage errors and the completion script get the whole tree.
   */
  static CommandLine commandLine(Io io, String[] args) {
    CommandLine cl = new CommandLine(new FifochanCommand(io));
    String first = args.length > 0 ? args[0] : null;
    boolean one = first != null && !first.equals("generate-completion") && java.util.Arrays.asList(NAMES).contains(first);
    for (String name : NAMES) {
      if (!one || name.equals(first)) {
        cl.addSubcommand(name, subcommand(name));
      }
    }
    CommandLine completion = cl.getSubcommands().get("generate-completion");
    if (completion != null) {
      completion.getCommandSpec().usageMessage()
          .footerHeading("%nExamples:%n")
          .footer("  source <(fifochan generate-completion)            # bash, this shell",
              "  fifochan generate-completion > ~/.local/share/bash-completion/completions/fifochan",
              "  autoload -U +X bashcompinit && bashcompinit && source <(fifochan generate-completion)   # zsh");
    }
    cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
    cl.setExecutionExceptionHandler(new Reporter(io.err()));
    cl.setParameterExceptionHandler(new UsageReporter());
    cl.setExecutionStrategy(Fatal.around(new CommandLine.RunLast(), io.err()));
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

  /** " (see 'fifochan CMD --help')": what every usage error ends with. */
  static String helpPointer(String qualifiedName) {
    return " (see '" + qualifiedName + " --help')";
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
      String name = cl.getCommandSpec().qualifiedName();
      // A usage error a command finds (a bad value, options that contradict each other) points to
      // --help as picocli's own do.
      err.println(name + ": " + failure.getMessage() + (failure.code() == ExitCode.USAGE.code() ? helpPointer(name) : ""));
      if (isVerbose(parseResult)) {
        (failure.getCause() != null ? failure.getCause() : failure).printStackTrace(err);
      }
      err.flush();
      return failure.code();
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

  /** Prints a usage error as one line that points to --help; exit code 2. */
  private static final class UsageReporter implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String name = cl.getCommandSpec().qualifiedName();
      err.println(name + ": " + Failures.oneLine(String.valueOf(ex.getMessage())) + helpPointer(name));
      err.flush();
      return ExitCode.USAGE.code();
    }
  }
}
