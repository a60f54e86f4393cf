package dev.fifochan.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run for the launcher's class-data sharing archive: {@code bin/fifochan} runs this
 * once per JVM and jar, with {@code -XX:ArchiveClassesAtExit}, so that the archive holds the classes
 * the commands load (picocli and its help, the codecs, the FIFO transport) and later runs map them
 * instead of loading and verifying them again.
 *
 * <p>It runs the real commands in-process: the help of every command, a usage error, and
 * {@code send} to {@code recv} and to {@code inspect} over a FIFO in a private temporary directory,
 * with the json, string and bytes codecs. Nothing reaches the caller's terminal; a watchdog ends a
 * run that hangs (without an archive, since the launcher keeps only the archive of a run that
 * exited 0).
 */
public final class Training {
  private Training() {}

  /** Runs the training; exit 0 when it ran to its end. */
  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(60_000);
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        // done in time
      }
    }, "fifochan-training-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    List<String> commands = new ArrayList<>(Cli.commandLine(new Io(new ByteArrayInputStream(new byte[0]), sink, sink))
        .getSubcommands().keySet());
    run(sink, new byte[0], "--help");
    run(sink, new byte[0], "--version");
    for (String command : commands) {
      run(sink, new byte[0], command, "--help");
    }
    run(sink, new byte[0], "recv", "--bogus");
    Path dir = Files.createTempDirectory("fifochan-training-");
    try {
      Path fifo = dir.resolve("f");
      run(sink, new byte[0], "mkfifo", fifo.toString());
      byte[] lines = "{\"id\":1}\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8);
      pair(sink, lines, new String[] {"send", "--type", "t", "--timeout", "10s", fifo.toString()},
          "recv", "--timeout", "10s", fifo.toString());
      pair(sink, lines, new String[] {"send", "--codec", "string", "--checksum", "--timeout", "10s", fifo.toString()},
          "recv", "--codec", "string", "--timeout", "10s", fifo.toString());
      pair(sink, lines, new String[] {"send", "--codec", "bytes", "--timeout", "10s", fifo.toString()},
          "recv", "--codec", "bytes", "--timeout", "10s", fifo.toString());
      pair(sink, lines, new String[] {"send", "--timeout", "10s", fifo.toString()},
          "inspect", "--timeout", "10s", fifo.toString());
      pair(sink, lines, new String[] {"send", "--timeout", "10s", fifo.toString()},
          "inspect", "--json", "--timeout", "10s", fifo.toString());
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    watchdog.interrupt();
    System.exit(0);
  }

  private static int run(PrintStream sink, byte[] stdin, String... args) {
    return Cli.run(args, new ByteArrayInputStream(stdin), sink, sink);
  }

  /** Runs {@code reader} in another thread and {@code writer} (with {@code stdin}) here. */
  private static void pair(PrintStream sink, byte[] stdin, String[] writer, String... reader) throws IOException {
    Thread t = new Thread(() -> run(sink, new byte[0], reader), "fifochan-training-reader");
    t.start();
    run(sink, stdin, writer);
    try {
      t.join(20_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
