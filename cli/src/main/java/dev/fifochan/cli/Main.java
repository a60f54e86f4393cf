package dev.fifochan.cli;

/**
 * Entry point of the {@code fifochan} command ({@code java -jar fifochan.jar ...}, started by
 * {@code bin/fifochan}). It links against nothing but {@code java.base}, so that a jar that lacks a
 * class, or a JVM that cannot load one, still ends in one line and exit code 9 ("cannot run
 * here") rather than the JVM's multi-line report of a main class that failed to initialize.
 */
public final class Main {
  private Main() {}

  /** Runs the command ({@link Cli#main}) and exits with its exit code. */
  public static void main(String[] args) {
    try {
      Cli.main(args);
    } catch (Throwable t) { // Cli.main reports everything it can; this is what it cannot (e.g. Cli fails to load)
      System.err.println("fifochan: cannot run here: " + t);
      if (java.util.Arrays.asList(args).contains("--verbose")) {
        t.printStackTrace();
      }
      System.exit(9); // ExitCode.CANNOT_RUN, which may be what cannot load
    }
  }
}
