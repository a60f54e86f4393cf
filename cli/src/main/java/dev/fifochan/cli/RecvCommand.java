package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.SourceOpener;
import dev.fifochan.StreamException;
import dev.fifochan.cli.format.RecvFormatOptions;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageOutput;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoReadChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
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
            + " skipped)."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan recv /tmp/events > events.jsonl",
        "  fifochan recv --create --timeout 5s --count 1 /tmp/orders",
        "  fifochan recv --follow --codec string /tmp/log",
        "  fifochan recv --codec bytes --bytes-framing u32 /tmp/blobs > blobs.u32",
        "  fifochan recv -c protobuf --descriptor-set app.desc -t app.Ping,app.Pong /tmp/p"})
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

  @Parameters(paramLabel = "FIFO", description = "The FIFO to read from.")
  private Path fifo;

  @Override
  public Integer call() throws Exception {
    Descriptors.refuseNamed("recv", fifo);
    if (count != null && count < 0) {
      throw new CliException(ExitCode.USAGE, "--count must not be negative: " + count);
    }
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    ChannelConfig config = ChannelConfig.builder()
        .createIfMissing(creation.create())
        .fifoMode(creation.mode())
        .maxFrameLength(format.maxFrameLength())
        .openTimeout(Timeouts.orForever(timeout))
        .follow(follow)
        .build();
    LongAdder bytes = new LongAdder();
    Receiver<T> receiver = open(messageFormat, config, bytes);
    MessageOutput<T> output = messageFormat.output(root.io().data());
    try (receiver; Progress progress = Progress.start(common.progress(), root.io().err(), "recv " + fifo,
        receiver::messagesReceived, bytes::sum)) {
      try {
        pump(receiver, output);
      } finally {
        flush(output); // also what arrived before a failure
      }
    } catch (StdoutClosed e) {
      return ExitCode.BROKEN_PIPE.code();
    }
    if (common.verbose()) {
      root.io().err().println("fifochan recv: " + fifo + ": received " + receiver.messagesReceived()
          + " messages, " + bytes.sum() + " bytes");
    }
    return ExitCode.OK.code();
  }

  private <T> Receiver<T> open(MessageFormat<T> messageFormat, ChannelConfig config, LongAdder bytes) throws CliException {
    try {
      if (follow) {
        SourceOpener counting = new CountingOpener(Fifo.follow(fifo, config), bytes, "FIFO " + fifo);
        return Receiver.following(counting, messageFormat.codec(), config);
      }
      FifoReadChannel channel = Fifo.openReadChannel(fifo, config);
      return Receiver.over(new CountingReadChannel(channel, bytes, "FIFO " + fifo), messageFormat.codec(), config);
    } catch (IOException e) {
      throw creation.openFailure(fifo, e);
    }
  }

  private <T> void pump(Receiver<T> receiver, MessageOutput<T> output) throws IOException, CliException {
    PrintStream err = root.io().err();
    while (count == null || receiver.messagesReceived() < count) {
      T message;
      try {
        message = next(receiver, output);
      } catch (StdoutClosed e) {
        throw e;
      } catch (StreamException e) {
        if (follow) {
          err.println("fifochan recv: " + fifo + ": " + Failures.describeStream(e) + " (skipped; following)");
          continue;
        }
        throw Failures.of(fifo.toString(), e);
      } catch (IOException e) {
        throw Failures.of(fifo.toString(), e);
      }
      if (message == null) {
        if (receiver.isEnded()) {
          return;
        }
        throw new CliException(ExitCode.TIMEOUT, fifo + ": no message within " + DurationConverter.format(timeout)
            + " (" + receiver.messagesReceived() + " received)");
      }
      try {
        output.write(message);
      } catch (IOException e) {
        throw new StdoutClosed(e);
      }
    }
  }

  private static void flush(MessageOutput<?> output) throws StdoutClosed {
    try {
      output.flush();
    } catch (IOException e) {
      throw new StdoutClosed(e);
    }
  }

  /** Writing to stdout failed: its reader is gone. */
  private static final class StdoutClosed extends IOException {
    private static final long serialVersionUID = 1L;

    StdoutClosed(IOException cause) {
      super("stdout: " + cause.getMessage(), cause);
    }
  }

  /**
   * The next message; flushes stdout whenever the receiver would have to wait, so that a slow
   * stream shows up at once while a fast one is written in large blocks.
   */
  private <T> T next(Receiver<T> receiver, MessageOutput<T> output) throws IOException, CliException {
    T message = receiver.poll(Duration.ZERO);
    if (message != null || receiver.isEnded()) {
      return message;
    }
    flush(output);
    return timeout == null ? receiver.receive() : receiver.poll(timeout);
  }
}
