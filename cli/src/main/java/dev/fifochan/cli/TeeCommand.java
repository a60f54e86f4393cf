package dev.fifochan.cli;

import dev.fifochan.Deadline;
import dev.fifochan.MessageException;
import dev.fifochan.PeerClosedException;
import dev.fifochan.cli.format.MessageFormat;
import dev.fifochan.cli.format.MessageOutput;
import dev.fifochan.cli.format.TeeFormatOptions;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoReadChannel;
import dev.fifochan.fifo.FifoWriteChannel;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamInspector;
import dev.fifochan.spi.StreamOutcome;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fifochan tee IN OUT}: passes a live stream from one FIFO to another unchanged, byte for
 * byte, and shows a copy of its records (on stdout, or raw into a third FIFO).
 */
@Command(name = "tee", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Watch a live stream: the writer writes IN, the real reader reads OUT, and tee passes every byte"
        + " from IN to OUT unchanged, while a copy of the records goes to stdout (as text in the --codec's format,"
        + " as recv prints it, or the raw stream with --raw) or, with --copy FIFO, raw into a third FIFO.",
        "Place tee when you set the pipeline up: a FIFO has one reader, and a second reader on a FIFO that is in"
            + " use is refused (it would take part of the stream). Give the writer IN and the reader OUT.",
        "The stream's end passes through as it is (clean, aborted, truncated, corrupt: the reader of OUT sees"
            + " exactly what tee read), and tee exits as recv would for it (0, 10, 4, 5...). If the reader of OUT"
            + " leaves, tee stops and closes IN (exit 7). tee waits until the reader of OUT has read the"
            + " stream's first record before it reads on, and at the end until OUT is drained: a reader that"
            + " refuses the stream fails tee, and so the writer."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan mkfifo /tmp/app.in /tmp/app.out",
        "  fifochan tee /tmp/app.in /tmp/app.out > copy.jsonl &    # watch every message",
        "  producer --out /tmp/app.in & consumer --in /tmp/app.out",
        "  fifochan tee --codec string /tmp/log.in /tmp/log.out | grep ERROR",
        "  fifochan tee --raw /tmp/a.in /tmp/a.out > capture.bin    # then: fifochan inspect capture.bin",
        "  fifochan tee --copy /tmp/audit /tmp/a.in /tmp/a.out     # a second fifochan reader reads /tmp/audit"})
public final class TeeCommand implements Callable<Integer> {
  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private TeeFormatOptions format;

  @Mixin
  private CommonOptions common;

  @Mixin
  private CreateOptions creation;

  @Option(names = "--raw", description = "Copy the stream's bytes to stdout as they are (a capture inspect and recv '-' read).")
  private boolean raw;

  @Option(names = "--copy", paramLabel = "FIFO|-",
      description = "Where the copy goes: '-' (default) prints it on stdout; a FIFO gets the raw stream, for another reader.")
  private Path copy;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Give up if the writer, the reader of OUT or the reader of --copy does not come, or no byte arrives,"
          + " within this time (default: wait forever).")
  private Duration timeout;

  @Parameters(index = "0", paramLabel = "IN", description = "The FIFO the writer writes.")
  private Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The FIFO the real reader reads; it gets every byte of IN.")
  private Path out;

  @Override
  public Integer call() throws Exception {
    boolean copyToFifo = copy != null && !copy.toString().equals("-");
    if (copyToFifo && raw) {
      throw new CliException(ExitCode.USAGE, "--raw prints the raw stream on stdout; --copy FIFO already gets the raw stream");
    }
    return run(format.build(), copyToFifo);
  }

  private <T> int run(MessageFormat<T> messageFormat, boolean copyToFifo) throws Exception {
    // IN, OUT and a --copy FIFO are created only with --create: a missing one is a mistake (a typo would
    // otherwise make tee wait forever on a FIFO nobody writes)
    FifoOptions options = FifoOptions.builder()
        .createIfMissing(creation.create())
        .mode(creation.mode())
        .openTimeout(Timeouts.orForever(timeout))
        .build();
    FifoReadChannel input;
    FifoWriteChannel output;
    FifoWriteChannel copyOut = null;
    try {
      input = Fifo.openReadChannel(in, options); // takes IN's reader lock; waits for the writer's first byte
    } catch (IOException e) {
      throw creation.openFailure(in, e);
    }
    try {
      output = Fifo.openWriteChannel(out, options);
    } catch (IOException e) {
      input.close();
      throw creation.openFailure(out, e);
    }
    if (copyToFifo) {
      try {
        copyOut = Fifo.openWriteChannel(copy, options);
      } catch (IOException e) {
        input.close();
        output.close();
        throw creation.openFailure(copy, e);
      }
    }
    OutputStream stdout = new Stdout(root.io().data());
    MessageOutput<T> text = raw || copyToFifo ? null : messageFormat.output(stdout);
    Forwarder forwarder = new Forwarder(input, output, copyOut, raw ? stdout : null);
    StreamOutcome outcome;
    try (input; output; FifoWriteChannel c = copyOut;
         Progress progress = Progress.start(common.progress(), root.io().err(), "tee " + in + " -> " + out,
             forwarder::records, forwarder::bytes)) {
      try (StreamInspector inspector = ByteStreams.inspector(forwarder, format.maxFrameLength(), null)) {
        for (InspectedRecord r; (r = inspector.next()) != null; ) {
          forwarder.records++;
          if (text != null && r.kind() == InspectedRecord.Kind.FRAME) {
            print(r, messageFormat, text);
          }
          if (text != null && !forwarder.hasBuffered()) {
            flushText(text);
          }
        }
        outcome = inspector.outcome();
      }
      if (text != null) {
        flushText(text);
      }
      forwarder.drainRest(); // after a broken stream: the reader of OUT gets the same bytes up to the end of file
      Deadline deadline = timeout == null ? Deadline.none() : Deadline.after(timeout);
      if (!output.awaitDrained(deadline)) {
        throw new CliException(ExitCode.TIMEOUT, out + ": the reader did not read the rest of the stream within "
            + DurationConverter.format(timeout));
      }
    } catch (PeerClosedException e) {
      throw new CliException(ExitCode.PEER_GONE, "a reader left before it read the whole stream (" + e.getMessage()
          + "); IN is closed, so its writer learns of it too", e);
    } catch (IOException e) {
      if (e.getCause() instanceof StdoutFailure) {
        return Stdout.failed((IOException) e.getCause().getCause(), "tee stopped after " + forwarder.records
            + " records: OUT got every byte tee read from IN (at least " + forwarder.bytes + "), the copy on stdout"
            + " is incomplete, and IN is closed (a writer still sending to it sees its reader gone)");
      }
      throw creation.openFailure(in, e);
    }
    if (common.verbose()) {
      root.io().err().println("fifochan tee: " + in + " -> " + out + ": " + forwarder.records + " records, "
          + forwarder.bytes + " bytes passed on");
    }
    if (outcome.isClean()) {
      return ExitCode.OK.code();
    }
    throw Failures.of(in.toString(), outcome.error());
  }

  private <T> void print(InspectedRecord r, MessageFormat<T> messageFormat, MessageOutput<T> text) throws IOException {
    MessageException error = r.error();
    T value = null;
    if (error == null) {
      try {
        value = messageFormat.codec().decode(r.tag(), r.payload());
      } catch (Exception e) {
        root.io().err().println("fifochan tee: " + in + ": the frame at offset " + r.position() + " does not decode as "
            + format.codec() + " (passed on unchanged): " + e.getMessage());
        return;
      }
    } else {
      root.io().err().println("fifochan tee: " + in + ": " + Failures.describeMessage(error) + " (passed on unchanged)");
      return;
    }
    try {
      text.write(value);
    } catch (IOException e) {
      throw new IOException(e.getMessage(), new StdoutFailure(e));
    }
  }

  private static void flushText(MessageOutput<?> text) throws IOException {
    try {
      text.flush();
    } catch (IOException e) {
      throw new IOException(e.getMessage(), new StdoutFailure(e));
    }
  }

  /** Marks a failure to write stdout: tee stops (quietly if its reader is gone: {@link Stdout#failed}). */
  private static final class StdoutFailure extends IOException {
    private static final long serialVersionUID = 1L;

    StdoutFailure(IOException cause) {
      super(cause);
    }
  }

  /**
   * IN as the inspector reads it: every chunk read is first written whole to OUT (and to the copy),
   * so the bytes go on unchanged and in order whatever the inspector makes of them. After the first
   * chunk (the writer's preamble) it waits until the reader of OUT has read it.
   */
  private static final class Forwarder implements ReadableByteChannel, WaitableChannel {
    private final FifoReadChannel input;
    private final FifoWriteChannel output;
    private final FifoWriteChannel copy;
    private final OutputStream rawCopy;
    private volatile long bytes;
    volatile long records;
    private boolean first = true;
    private boolean pendingRead;

    Forwarder(FifoReadChannel input, FifoWriteChannel output, FifoWriteChannel copy, OutputStream rawCopy) {
      this.input = input;
      this.output = output;
      this.copy = copy;
      this.rawCopy = rawCopy;
    }

    long bytes() {
      return bytes;
    }

    long records() {
      return records;
    }

    /** Whether bytes may already wait in IN (the last read filled its buffer): no need to flush the text yet. */
    boolean hasBuffered() {
      return pendingRead;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      int start = dst.position();
      int n = input.read(dst);
      pendingRead = n > 0 && !dst.hasRemaining();
      if (n <= 0) {
        return n;
      }
      ByteBuffer chunk = dst.duplicate();
      chunk.limit(start + n).position(start);
      writeFully(output, chunk.duplicate());
      if (copy != null) {
        writeFully(copy, chunk.duplicate());
      }
      if (rawCopy != null) {
        byte[] b = new byte[n];
        chunk.duplicate().get(b);
        try {
          rawCopy.write(b);
          rawCopy.flush();
        } catch (IOException e) {
          throw new IOException(e.getMessage(), new StdoutFailure(e));
        }
      }
      bytes += n;
      if (first) {
        first = false;
        // A reader of OUT that refuses the stream does so at its first record: let it, before reading on.
        output.awaitDrained(Deadline.none());
      }
      return n;
    }

    private static void writeFully(FifoWriteChannel ch, ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        if (ch.write(b) == 0) {
          ch.awaitReady(Deadline.none());
        }
      }
    }

    /** Passes on what is left of IN up to its end of file. */
    void drainRest() throws IOException {
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
      while (true) {
        b.clear();
        int n = read(b);
        if (n < 0) {
          return;
        }
        if (n == 0) {
          input.awaitReady(Deadline.none());
        }
      }
    }

    @Override
    public boolean awaitReady(Deadline deadline) throws IOException {
      return input.awaitReady(deadline);
    }

    @Override
    public void wakeup() {
      input.wakeup();
    }

    @Override
    public boolean isOpen() {
      return input.isOpen();
    }

    @Override
    public void close() {
      // the command closes the FIFOs
    }
  }
}
