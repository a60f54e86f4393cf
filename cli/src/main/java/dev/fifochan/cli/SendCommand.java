package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Sender;
import dev.fifochan.cli.format.SendFormatOptions;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageInput;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoWriteChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan send}: stdin → one frame per message → FIFO, then a clean end of stream. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Send messages read from stdin to a FIFO, one frame per message, and close it cleanly.",
        "json: one JSON document per line (blank lines skipped); string: one line per message;",
        "bytes: all of stdin (--bytes-framing whole) or u32-length-prefixed records (u32);",
        "protobuf: one JSON line per message in protobuf's JSON mapping (needs --descriptor-set).",
        "Waits for a reader to open the FIFO (at most --timeout). If stdin holds an invalid message the"
            + " stream is cut off without an end-of-stream frame, so the reader sees it as truncated."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan send /tmp/events < events.jsonl",
        "  echo '{\"id\":1}' | fifochan send --create --type order /tmp/orders",
        "  printf 'one\\ntwo\\n' | fifochan send --codec string /tmp/lines",
        "  fifochan send --codec bytes /tmp/blobs < image.png",
        "  fifochan send -c protobuf --descriptor-set app.desc -t app.Ping /tmp/p < pings.jsonl"})
public final class SendCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private SendFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Give up if no reader opens the FIFO, or a message cannot be written, within this"
          + " time (e.g. 500ms, 5s, 2m; default: wait forever).")
  private Duration timeout;

  @Option(names = "--checksum", description = "Append a CRC-32C to every frame.")
  private boolean checksum;

  @Parameters(paramLabel = "FIFO", description = "The FIFO to write to.")
  private Path fifo;

  @Override
  public Integer call() throws Exception {
    Descriptors.refuseNamed("send", fifo);
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    ChannelConfig config = ChannelConfig.builder()
        .createIfMissing(creation.create())
        .fifoMode(creation.mode())
        .checksum(checksum)
        .maxFrameLength(format.maxFrameLength())
        .openTimeout(Timeouts.orForever(timeout))
        .build();
    MessageInput<T> input = messageFormat.input(root.io().in());
    // The first message is read, and so checked, before waiting for a reader: input that is not
    // valid fails at once, without a reader and without creating the FIFO.
    T first = next(input, null, null);
    FifoWriteChannel raw;
    try {
      raw = Fifo.openWriteChannel(fifo, config);
    } catch (IOException e) {
      throw creation.openFailure(fifo, e);
    }
    CountingWriteChannel channel = new CountingWriteChannel(raw);
    Sender<T> sender;
    try {
      sender = Sender.over(channel, messageFormat.codec(), config);
    } catch (IOException e) {
      raw.close();
      throw Failures.of(fifo.toString(), e);
    }
    Sender<T> s = sender;
    try (Progress progress = Progress.start(common.progress(), root.io().err(), "send " + fifo,
        s::messagesWritten, channel::bytes)) {
      pump(first, input, sender, raw);
      sender.close();
    } catch (IOException e) {
      raw.close();
      throw Failures.of(fifo.toString(), e);
    }
    if (common.verbose()) {
      root.io().err().println("fifochan send: " + fifo + ": sent " + sender.messagesWritten() + " messages, "
          + channel.bytes() + " bytes, clean end of stream");
    }
    return ExitCode.OK.code();
  }

  private <T> void pump(T first, MessageInput<T> input, Sender<T> sender, FifoWriteChannel raw)
      throws IOException, CliException {
    for (T message = first; message != null; message = next(input, sender, raw)) {
      if (timeout == null) {
        sender.send(message);
      } else {
        sender.send(message, timeout);
      }
    }
  }

  /** The next message of the input; on invalid input, aborts the stream if there is one. */
  private static <T> T next(MessageInput<T> input, Sender<T> sender, FifoWriteChannel raw) throws CliException {
    try {
      return input.next();
    } catch (CliException | IOException e) {
      if (sender != null) {
        abort(sender, raw);
      }
      throw e instanceof CliException ? (CliException) e : Failures.of("stdin", e);
    }
  }

  /** Delivers what was sent, then cuts the stream off without an end-of-stream frame. */
  private static void abort(Sender<?> sender, FifoWriteChannel raw) {
    try {
      sender.flush();
    } catch (IOException e) {
      // the reader is gone: nothing to deliver
    }
    raw.close();
  }
}
