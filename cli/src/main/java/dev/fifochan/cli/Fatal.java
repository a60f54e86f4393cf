package dev.fifochan.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParseResult;

/**
 * The last line of defence: a failure that no command handled, in any layer (picocli, the JVM, a
 * native loader) and in any thread, becomes one line on stderr and an exit code from
 * {@link Failures}, with the stack trace only under {@code --verbose}.
 *
 * <p>picocli hands a command's exceptions to {@code Cli.Reporter} but lets {@link Error}s (out of
 * memory, stack overflow, a class or native library that cannot load) through; {@link #around}
 * catches those where the command's name is still known. As the default uncaught-exception handler
 * (set by {@link Cli#main}), an uncaught throwable in another thread ends the process, since the
 * thread waiting for that one would otherwise wait forever.
 */
final class Fatal implements Thread.UncaughtExceptionHandler {
  private final PrintStream err;
  private final boolean verbose;
  private final AtomicBoolean exiting = new AtomicBoolean();
  private static volatile String command = "fifochan";

  /** A handler for uncaught throwables that reports on {@code err}. */
  Fatal(PrintStream err, boolean verbose) {
    this.err = err;
    this.verbose = verbose;
  }

  /** Whether {@code --verbose} (or {@code -v}) is among the arguments, before parsing them. */
  static boolean verboseIn(String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.equals("-v") || a.equals("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** {@code strategy}, with the {@link Error}s it lets through reported on {@code err} as one line. */
  static IExecutionStrategy around(IExecutionStrategy strategy, PrintStream err) {
    return parseResult -> {
      ParseResult last = parseResult;
      boolean verbose = false;
      for (ParseResult r = parseResult; r != null; r = r.subcommand()) {
        last = r;
        verbose |= r.hasMatchedOption("--verbose");
      }
      command = last.commandSpec().qualifiedName();
      try {
        return strategy.execute(parseResult);
      } catch (Error e) {
        return report(err, e, verbose);
      }
    };
  }

  /** Prints {@code failure} as one line (with --verbose also its stack trace); returns the exit code. */
  int report(Throwable failure) {
    return report(err, failure, verbose);
  }

  private static int report(PrintStream err, Throwable failure, boolean verbose) {
    String line;
    int code;
    try {
      CliException c = Failures.of(null, failure);
      line = command + ": " + c.getMessage();
      code = c.exitCode().code();
    } catch (Throwable again) { // e.g. still out of memory: a line that needs next to nothing
      line = "fifochan: cannot run here: the JVM failed (" + failure.getClass().getName() + ")";
      code = ExitCode.CANNOT_RUN.code();
    }
    err.println(line);
    if (verbose) {
      failure.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  @Override
  public void uncaughtException(Thread thread, Throwable failure) {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    int code = report(failure);
    if (!shuttingDown()) { // System.exit in a shutdown hook would wait for itself
      System.exit(code);
    }
  }

  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
