package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.FrameReader;
import dev.fifochan.StreamException;
import dev.fifochan.WireRecord;
import dev.fifochan.fifo.Fifo;
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
            + " and a payload preview.",
        "On a broken stream it prints what came before, then names the offset and the cause on stderr and"
            + " exits 5 (corrupt), 4 (truncated) or 8 (incompatible). Checksums are verified."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan inspect capture.bin",
        "  fifochan inspect --json capture.bin | jq .",
        "  cat capture.bin | fifochan inspect -",
        "  fifochan inspect <(zcat capture.bin.gz)",
        "  fifochan inspect --timeout 10s /tmp/events    # reads (consumes) the FIFO's stream"})
public final class InspectCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private CommonOptions common;

  @Option(names = "--json", description = "One JSON object per record (the test vectors' field names), then an outcome object.")
  private boolean json;

  @Option(names = "--preview", paramLabel = "N", defaultValue = "40",
      description = "Payload characters (or bytes, as hex) to preview (default: ${DEFAULT-VALUE}).")
  private int preview;

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "16777216",
      description = "Largest payload accepted (default: ${DEFAULT-VALUE}).")
  private int maxFrameLength;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "FIFO only: give up if no writer comes, or no byte arrives, within this time.")
  private Duration timeout;

  @Parameters(paramLabel = "FILE|FIFO|-", description = "A file holding a captured stream, a FIFO, or '-' for stdin.")
  private Path path;

  @Override
  public Integer call() throws Exception {
    if (maxFrameLength < 0 || preview < 0) {
      throw new CliException(ExitCode.USAGE, "--max-frame-length and --preview must not be negative");
    }
    PrintStream out = root.io().out();
    RecordPrinter printer = json ? new RecordPrinter.Json(out) : new RecordPrinter.Table(out, preview);
    try (FrameReader reader = new FrameReader(open(), maxFrameLength, 1 << 16, null)) {
      printer.header();
      long timeoutNanos = timeout == null ? -1 : timeout.toNanos();
      long records = 0;
      while (true) {
        WireRecord record = reader.next(timeoutNanos);
        if (record == null) {
          throw new CliException(ExitCode.TIMEOUT, path + ": no byte within " + DurationConverter.format(timeout)
              + " at offset " + reader.offset());
        }
        if (record.kind() == WireRecord.Kind.END) {
          printer.end(record.offset());
          return ExitCode.OK.code();
        }
        printer.record(record);
        if (++records % 1024 == 0 && out.checkError()) {
          return ExitCode.BROKEN_PIPE.code(); // stdout closed (e.g. | head): stop like SIGPIPE would
        }
      }
    } catch (StreamException e) {
      printer.failure(e, Failures.exitCodeOf(e));
      throw Failures.of(path.toString(), e);
    } catch (IOException e) {
      throw Failures.of(path.toString(), e);
    } finally {
      out.flush();
    }
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
      ChannelConfig config = ChannelConfig.builder()
          .createIfMissing(false)
          .maxFrameLength(maxFrameLength)
          .openTimeout(Timeouts.orForever(timeout))
          .build();
      return Fifo.openReadChannel(path, config);
    }
    if (attributes.isDirectory()) {
      throw new CliException(ExitCode.ERROR, path + ": is a directory");
    }
    return FileChannel.open(path, StandardOpenOption.READ);
  }
}
