package dev.fifochan.cli;

import dev.fifochan.cli.format.InspectFormatOptions;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamInspector;
import dev.fifochan.spi.StreamOutcome;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan inspect}: a record-by-record dump of a stream in a file or a FIFO. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"List a stream (file or FIFO) record by record; say where and why it breaks.",
        "Reads a file (e.g. a capture: cat FIFO > file), a FIFO, or stdin ('-', /dev/stdin, or any /dev/fd/N a"
            + " shell hands over, e.g. <(...)), and prints offset, record kind, flags, type tag, payload length"
            + " and a payload preview; with --codec, each frame's decoded value (protobuf through --descriptor-set).",
        "--json prints the test vectors' record objects, one per line, then {\"outcome\": {...}} (docs/wire-format.md,"
            + " decision 13).",
        "On a broken stream it prints what came before, then names the offset and the cause on stderr and"
            + " exits 5 (corrupt), 4 (truncated), 8 (incompatible) or 10 (aborted). Checksums are verified."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan inspect capture.bin",
        "  fifochan inspect --json --codec json capture.bin | jq .",
        "  cat capture.bin | fifochan inspect -",
        "  fifochan inspect <(zcat capture.bin.gz)",
        "  fifochan inspect -c protobuf --descriptor-set app.desc -t app.Ping,app.Pong capture.bin",
        "  fifochan inspect --timeout 10s /tmp/events    # reads (consumes) the FIFO's stream"})
public final class InspectCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private InspectFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Option(names = "--json", description = "One JSON object per record (the test vectors' form), then {\"outcome\": {...}}.")
  private boolean json;

  @Option(names = "--preview", paramLabel = "N", defaultValue = "40",
      description = "Payload characters (or bytes, as hex) to preview (default: ${DEFAULT-VALUE}).")
  private int preview;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Give up if no writer comes, or no byte arrives, within this time.")
  private Duration timeout;

  @Parameters(paramLabel = "FILE|FIFO|-", description = "A file holding a captured stream, a FIFO, or '-' for stdin.")
  private Path path;

  @Override
  public Integer call() throws Exception {
    if (preview < 0) {
      throw new CliException(ExitCode.USAGE, "--preview must not be negative");
    }
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    // stdout through a Stdout, which remembers why a write failed: the PrintStream hides it.
    Stdout stdout = new Stdout(root.io().data());
    PrintStream out = stdout.printer();
    RecordPrinter<T> printer = json ? new RecordPrinter.Json<>(out, messageFormat)
        : new RecordPrinter.Table<>(out, preview, messageFormat);
    IdleWatch watch;
    try {
      watch = new IdleWatch(open(), timeout);
    } catch (IOException e) {
      throw Failures.of(path.toString(), e);
    }
    StreamOutcome outcome;
    long records = 0;
    try (watch; StreamInspector inspector = ByteStreams.inspector(watch, format.maxFrameLength(),
        messageFormat.codec()::accepts)) {
      printer.header();
      for (InspectedRecord r; (r = inspector.next()) != null; ) {
        printer.record(r);
        if (++records % 1024 == 0 && out.checkError()) {
          return stdoutFailed(stdout);
        }
      }
      outcome = inspector.outcome();
    } catch (IOException e) {
      if (watch.timedOut()) {
        throw new CliException(ExitCode.TIMEOUT, path + ": no byte within " + DurationConverter.format(timeout)
            + " at offset " + watch.bytes(), e);
      }
      throw Failures.of(path.toString(), e);
    } finally {
      out.flush();
    }
    if (out.checkError()) {
      return stdoutFailed(stdout);
    }
    if (outcome.isClean()) {
      printer.outcome(outcome, null);
      out.flush();
      return out.checkError() ? stdoutFailed(stdout) : ExitCode.OK.code();
    }
    CliException failure = Failures.of(path.toString(), outcome.error());
    printer.outcome(outcome, failure);
    out.flush();
    if (out.checkError()) {
      return stdoutFailed(stdout);
    }
    throw failure;
  }

  /** stdout failed: 141 if its reader left, else an I/O error saying the listing is incomplete. */
  private int stdoutFailed(Stdout stdout) throws CliException {
    IOException e = stdout.failure() != null ? stdout.failure() : new IOException("write failed");
    return Stdout.failed(e, "the listing of " + path + " on stdout is incomplete"
        + (isFile() ? "" : " (the stream read from it is consumed)"));
  }

  private boolean isFile() {
    return Descriptors.named(path.toString()) < 0 && Files.isRegularFile(path);
  }

  private ReadableByteChannel open() throws IOException, CliException {
    int fd = Descriptors.named(path.toString());
    if (fd == 0) {
      return Channels.newChannel(root.io().in());
    }
    if (fd > 0) {
      if (!Files.exists(Path.of("/proc/self/fd/" + fd))) {
        throw new CliException(ExitCode.ERROR, path + ": file descriptor " + fd + " is not open");
      }
      return new FileInputStream(Descriptors.of(fd)).getChannel();
    }
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isOther()) {
      return Fifo.openReadChannel(path, FifoOptions.builder().openTimeout(Timeouts.orForever(timeout)).build());
    }
    if (attributes.isDirectory()) {
      throw new CliException(ExitCode.ERROR, path + ": is a directory");
    }
    return FileChannel.open(path, StandardOpenOption.READ);
  }
}
