package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.PeerClosedException;
import dev.fifochan.Sender;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageInput;
import dev.fifochan.cli.format.SendFormatOptions;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
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
        "Waits for a reader to open the FIFO (at most --timeout), then until it has read the stream's first"
            + " record, and at the end until it has read every byte: if the reader refused the stream (another"
            + " codec or wire version) or left early, send fails (exit 7). Frames carry a CRC-32C unless"
            + " --no-checksum. If stdin holds an invalid message, the stream is ended with an error (the reader"
            + " sees it as aborted, exit 10) after the valid ones. FIFO '-' is stdout."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan send /tmp/events < events.jsonl",
        "  echo '{\"id\":1}' | fifochan send --create --type order /tmp/orders",
        "  printf 'one\\ntwo\\n' | fifochan send --codec string /tmp/lines",
        "  fifochan send --codec bytes /tmp/blobs < image.png",
        "  fifochan send -c protobuf --descriptor-set app.desc -t app.Ping /tmp/p < pings.jsonl",
        "  tail -f app.log | fifochan send --codec string --fan-in /tmp/logs   # several writers on one FIFO",
        "  fifochan send --codec string - < lines.txt | fifochan recv --codec string -"})
public final class SendCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private SendFormatOptions format;

  @Mixin
  private WriterOptions writer;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Give up if no reader opens the FIFO, or a message cannot be written, or the reader does not read"
          + " the stream, within this time (e.g. 500ms, 5s, 2m; default: wait forever).")
  private Duration timeout;

  @Parameters(paramLabel = "FIFO", description = "The FIFO to write to ('-' or /dev/stdout: stdout; /dev/fd/N: a descriptor).")
  private Path fifo;

  @Override
  public Integer call() throws Exception {
    return run(format.build());
  }

  private <T> int run(MessageFormat<T> messageFormat) throws Exception {
    ChannelConfig config = writer.apply(ChannelConfig.builder())
        .maxFrameLength(format.maxFrameLength())
        .closeTimeout(Timeouts.orForever(timeout))
        .build();
    FifoOptions options = FifoOptions.builder()
        .createIfMissing(creation.create())
        .mode(creation.mode())
        .openTimeout(Timeouts.orForever(timeout))
        .fanIn(writer.fanIn())
        .lingerOnClose(true)
        .build();
    Path target = ShellPaths.forWriting(fifo);
    MessageInput<T> input = messageFormat.input(root.io().in());
    // The first message is read, and so checked, before waiting for a reader: input that is not
    // valid fails at once, without a reader and without creating the FIFO.
    T first = next(input, null);
    if (first != null) {
      checkFirst(messageFormat.codec(), first);
    }
    Sender<T> sender;
    try {
      sender = Fifo.openSender(target, messageFormat.codec(), config, options);
    } catch (PeerClosedException e) {
      throw refused(e);
    } catch (IOException e) {
      throw creation.openFailure(fifo, e);
    }
    try (Progress progress = Progress.start(common.progress(), root.io().err(), "send " + fifo,
        () -> sender.stats().messagesWritten(), () -> sender.stats().bytesWritten())) {
      pump(first, input, sender);
      sender.close();
    } catch (PeerClosedException e) {
      sender.abort("send failed");
      throw refused(e);
    } catch (IOException e) {
      sender.abort("send failed: " + e.getMessage());
      throw Failures.of(fifo.toString(), e);
    } catch (CliException | RuntimeException e) {
      sender.abort(e.getMessage());
      throw e;
    }
    if (common.verbose()) {
      root.io().err().println("fifochan send: " + fifo + ": sent " + sender.stats().messagesWritten() + " messages, "
          + sender.stats().bytesWritten() + " bytes; the reader read the whole stream");
    }
    return ExitCode.OK.code();
  }

  /** The reader went away before it read the whole stream: if it read nothing but the preamble, it refused it. */
  private CliException refused(PeerClosedException e) {
    boolean early = !e.countsKnown() || e.messagesWritten() == 0;
    return new CliException(ExitCode.PEER_GONE, fifo + ": " + e.getMessage()
        + (early ? " (it left right after the stream's first record: it refused the stream, codec '" + format.codec()
            + "', wire format " + writer.wireVersion() + "? its own error says why)" : ""), e);
  }

  /**
   * The first message's payload must fit in --max-frame-length, and with --fan-in its record in one
   * atomic write of PIPE_BUF bytes; the sender refuses a longer one when it sends it. The first
   * message is checked here, before creating the FIFO and waiting for a reader, as invalid input is.
   */
  private <T> void checkFirst(dev.fifochan.Codec<T> codec, T first) throws CliException {
    byte[] payload;
    byte[] tag;
    try {
      payload = dev.fifochan.Codecs.encodeToBytes(codec, first);
      tag = codec.tagOf(first).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return; // the sender reports it
    }
    if (payload.length > format.maxFrameLength()) {
      throw new CliException(ExitCode.BAD_MESSAGE, "stdin: the first message: " + Failures.describeMessage(
          new dev.fifochan.MessageTooLongException(payload.length, format.maxFrameLength(),
              dev.fifochan.MessageTooLongException.Limit.FRAME)) + " (the FIFO was neither created nor opened)");
    }
    if (!writer.fanIn()) {
      return;
    }
    long record = 6L + tag.length + payload.length + (writer.checksum() ? 4 : 0); // length, flags, tag length, tag, CRC
    if (record > PIPE_BUF) {
      throw new CliException(ExitCode.BAD_MESSAGE, "stdin: " + Failures.describeMessage(new dev.fifochan.MessageTooLongException(
          record, PIPE_BUF, dev.fifochan.MessageTooLongException.Limit.ATOMIC_WRITE)));
    }
  }

  /** The largest write a pipe keeps whole among several writers (Linux). */
  private static final int PIPE_BUF = 4096;

  private <T> void pump(T first, MessageInput<T> input, Sender<T> sender) throws IOException, CliException {
    for (T message = first; message != null; message = next(input, sender)) {
      if (timeout == null) {
        sender.send(message);
      } else {
        sender.send(message, timeout);
      }
    }
  }

  /** The next message of the input; on invalid input, ends the stream with an error if there is one. */
  private static <T> T next(MessageInput<T> input, Sender<T> sender) throws CliException {
    try {
      return input.next();
    } catch (CliException | IOException e) {
      CliException failure = e instanceof CliException ? (CliException) e : Failures.of("stdin", e);
      if (sender != null) {
        sender.abort(failure.getMessage()); // what was sent is delivered, then the aborted end
      }
      throw failure;
    }
  }
}
