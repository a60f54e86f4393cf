package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Failures from every layer end as one line and a documented exit code, in-process: a command
 * added to the real command tree fails the way the JVM or a native loader makes a real one fail.
 * (The black-box {@code FatalErrorsIT} provokes them for real through the launcher.)
 */
@Timeout(30)
class FatalErrorsTest {

  /** A command that fails as asked. */
  @Command(name = "explode")
  static final class Explode implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters
    String how;

    @Override
    public Integer call() throws Exception {
      switch (how) {
        case "stack":
          return recurse(0);
        case "heap":
          long[][] hold = new long[64][];
          for (int i = 0; i < hold.length; i++) {
            hold[i] = new long[Integer.MAX_VALUE - 16]; // more than any test JVM's heap
          }
          return hold.length;
        case "runtime":
          throw new IllegalStateException("a bug");
        case "assertion":
          throw new AssertionError("cannot happen");
        case "native-in-init":
          throw new ExceptionInInitializerError(new UnsatisfiedLinkError("could not load FFI provider"));
        case "native-nested":
          UnsatisfiedLinkError outer = new UnsatisfiedLinkError("could not load FFI provider jnr.ffi.provider.jffi.Provider");
          outer.initCause(new UnsatisfiedLinkError("could not get native definition for type `POINTER`, original error"
              + " message follows: java.lang.UnsatisfiedLinkError: Unable to execute or load jffi binary stub from"
              + " `/mnt/noexec`.\n/mnt/noexec/jffi123.so: failed to map segment from shared object"));
          throw outer;
        case "multi-line":
          throw new IOException("first line\nsecond line\n");
        case "native-in-io":
          throw new IOException("native calls unavailable", new UnsatisfiedLinkError("libjffi.so: cannot map"));
        case "class":
          throw new NoClassDefFoundError("com/kenai/jffi/Foreign");
        default:
          throw new IllegalArgumentException(how);
      }
    }

    private static int recurse(int n) {
      return recurse(n + 1) + 1;
    }
  }

  private static InProcess explode(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cl = Cli.commandLine(new Io(new ByteArrayInputStream(new byte[0]), o, e));
    cl.addSubcommand(new Explode());
    int code = cl.execute(args);
    return InProcess.of(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "stack          | 9 | fifochan explode: cannot run here: stack overflow; give threads more stack through FIFOCHAN_JAVA_OPTS, e.g. -Xss8m",
      "heap           | 9 | fifochan explode: cannot run here: out of memory (",
      "native-in-init | 9 | fifochan explode: cannot run here: cannot load a native library: could not load FFI provider (the native stub",
      "native-nested  | 9 | fifochan explode: cannot run here: cannot load a native library: Unable to execute or load jffi binary stub from `/mnt/noexec`.; /mnt/noexec/jffi123.so: failed to map segment from shared object (the native stub is extracted into java.io.tmpdir; if it is mounted noexec, put -Djffi.extract.dir=DIR",
      "multi-line     | 1 | fifochan explode: first line; second line",
      "native-in-io   | 9 | fifochan explode: cannot run here: cannot load a native library: libjffi.so: cannot map",
      "class          | 9 | fifochan explode: cannot run here: cannot load a class (java.lang.NoClassDefFoundError: com/kenai/jffi/Foreign)",
      "runtime        | 1 | fifochan explode: internal error: java.lang.IllegalStateException: a bug (run with --verbose",
      "assertion      | 1 | fifochan explode: internal error: java.lang.AssertionError: cannot happen (run with --verbose",
  })
  void everyKindOfFailureIsOneLineWithItsCode(String how, int code, String start) {
    InProcess r = explode("explode", how);
    assertEquals(code, r.exitCode, r.toString());
    String line = Launcher.oneLine(r.err);
    assertTrue(line.startsWith(start), line);
    assertEquals("", r.out);
  }

  @Test
  void verboseAddsTheStackTrace() {
    InProcess r = explode("explode", "--verbose", "stack");
    assertEquals(9, r.exitCode, r.toString());
    assertTrue(r.err.startsWith("fifochan explode: cannot run here: stack overflow"), r.err);
    assertTrue(r.err.contains("java.lang.StackOverflowError") && r.err.contains("\tat "), r.err);
  }

  @Test
  void outOfMemoryNamesTheHeapItHad() {
    InProcess r = explode("explode", "heap");
    assertTrue(r.err.contains("MiB of heap)"), r.err);
    assertFalse(r.err.contains("\tat "), r.err);
  }
}
