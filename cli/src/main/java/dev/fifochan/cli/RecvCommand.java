package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.MessageException;
import dev.fifochan.ReceiveTimeoutException;
import dev.fifochan.Receiver;
import dev.fifochan.StreamException;
import dev.fifochan.cli.format.RecvFormatOptions;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageOutput;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan recv}: FIFO → one line (or record) per message on stdout, until a clean end. */
@Command(name = "recv", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Receive messages from a FIFO and print each on stdout: one JSON document per line"
        + " (json, protobuf), one line (string), or raw / u32-framed bytes (bytes).",
        "Exits 0 at the writer's clean end of stream, or after --count messages. With --follow it keeps"
            + " reading from the next writer after one ends (a broken stream is reported on stderr and"
            + " skipped). A torn or spliced frame (several writers without --fan-in) is a corrupt stream"
            + " (exit 5): nothing is printed that no writer sent, as far as the writer's checksums show. FIFO '-' is"
            + " stdin."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan recv /tmp/events > events.jsonl",
        "  fifochan recv --create --timeout 5s --count 1 /tmp/orders",
        "  fifochan recv --follow --codec string /tmp/log",
        "  fifochan recv --codec bytes --bytes-framing u32 /tmp/blobs > blobs.u32",
        "  fifochan recv -c protobuf --descriptor-set app.desc -t app.Ping,app.Pong /tmp/p",
        "  fifochan recv --codec string - < capture.bin"})
public final class RecvCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private RecvFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Exit 0 after N messages.")
  private Long count;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Give up (exit 3) if no writer comes, or no message arrives, within this time"
          + " (e.g. 500ms, 5s, 2m; default: wait forever).")
  private Duration timeout;

  @Option(names = {"-f", "--follow"}, description = "Keep reading across writer restarts (never ends by itself).")
  private boolean follow;

  @Parameters(paramLabel = "FIFO", description = "The FIFO to read from ('-' or /dev/stdin: stdin; /dev/fd/N: a descriptor).")
  private Path fifo;

  @Override
  public Integer call() throws Exception {
    if (count != null && count < 0) {
      throw new CliException(ExitCode.USAGE, "--count must not be negative: " + count);
    }
    if (follow && ShellPaths.isDescriptor(fifo)) {
      throw new CliException(ExitCode.USAGE, fifo + ": --follow needs the path of a FIFO (a descriptor has one writer session)");
    }
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    ChannelConfig config = ChannelConfig.builder()
        .maxFrameLength(format.maxFrameLength())
        .build();
    FifoOptions options = FifoOptions.builder()
        .createIfMissing(creation.create())
        .mode(creation.mode())
        .openTimeout(Timeouts.orForever(timeout))
        .follow(follow)
        .build();
    Receiver<T> receiver;
    try {
      receiver = Fifo.openReceiver(ShellPaths.forReading(fifo), messageFormat.codec(), config, options);
    } catch (IOException e) {
      throw creation.openFailure(fifo, e);
    }
    MessageOutput<T> output = messageFormat.output(new Stdout(root.io().data()));
    try (receiver; Progress progress = Progress.start(common.progress(), root.io().err(), "recv " + fifo,
        () -> receiver.stats().messagesReceived(), () -> receiver.stats().payloadBytesReceived())) {
      try {
        pump(receiver, output);
      } finally {
        flush(output); // also what arrived before a failure
      }
    } catch (StdoutClosed e) {
      long received = receiver.stats().messagesReceived();
      return Stdout.failed((IOException) e.getCause(), Stdout.messages(received) + (received == 1 ? " was" : " were") + " consumed from " + fifo
          + " and at least " + flushed + " reached stdout; " + (received == flushed ? "none is lost"
          : "the rest (up to " + (received - flushed) + ") are lost"));
    }
    if (common.verbose()) {
      root.io().err().println("fifochan recv: " + fifo + ": received " + receiver.stats().messagesReceived()
          + " messages, " + receiver.stats().payloadBytesReceived() + " payload bytes");
    }
    return ExitCode.OK.code();
  }

  /** Messages handed to stdout, and of those the ones a successful flush wrote out. */
  private long printed;
  private long flushed;

  private <T> void pump(Receiver<T> receiver, MessageOutput<T> output) throws IOException, CliException {
    PrintStream err = root.io().err();
    while (count == null || printed < count) {
      T message;
      try {
        message = next(receiver, output);
      } catch (StdoutClosed e) {
        throw e;
      } catch (ReceiveTimeoutException e) {
        throw new CliException(ExitCode.TIMEOUT, fifo + ": no message within " + DurationConverter.format(timeout)
            + " (" + printed + " received)", e);
      } catch (StreamException | MessageException e) {
        if (follow) {
          err.println("fifochan recv: " + fifo + ": " + Failures.of(null, e).getMessage() + " (skipped; following)");
          continue;
        }
        throw Failures.of(fifo.toString(), e);
      } catch (IOException e) {
        throw Failures.of(fifo.toString(), e);
      }
      if (message == null) {
        return; // the clean end
      }
      try {
        output.write(message);
      } catch (IOException e) {
        throw new StdoutClosed(e);
      }
      printed++;
    }
  }

  private void flush(MessageOutput<?> output) throws StdoutClosed {
    try {
      output.flush();
      flushed = printed;
    } catch (IOException e) {
      throw new StdoutClosed(e);
    }
  }

  /** Writing to stdout failed: its reader is gone, or another I/O error ({@link Stdout#failed}). */
  private static final class StdoutClosed extends IOException {
    private static final long serialVersionUID = 1L;

    StdoutClosed(IOException cause) {
      super("stdout: " + cause.getMessage(), cause);
    }
  }

  /**
   * The next message, null at the clean end; flushes stdout whenever the receiver would have to
   * wait, so that a slow stream shows up at once while a fast one is written in large blocks.
   */
  private <T> T next(Receiver<T> receiver, MessageOutput<T> output) throws IOException, CliException {
    try {
      return receiver.receive(Duration.ZERO);
    } catch (ReceiveTimeoutException e) {
      flush(output);
    }
    return timeout == null ? receiver.receive() : receiver.receive(timeout);
  }
}
