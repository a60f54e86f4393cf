package dev.fifochan.fifo;

import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.PayloadSink;
import dev.fifochan.SendStatus;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.SinkCounters;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;

/**
 * A FIFO's frame sink with {@link FifoOptions#lingerOnClose()}: {@link #start} returns once the reader
 * has read the preamble, and {@link #end} once the reader has read every byte (or fails when it left
 * without). The byte-stream sink underneath writes through a view of the channel whose
 * {@code close()} is held back while the end lingers.
 */
final class LingeringSink implements FrameSink {
  private final FifoWriteChannel channel;
  private final FrameSink sink;
  private final Duration openTimeout;
  /** Set while {@link #end} runs: the sink's own close of the channel waits for the linger. */
  private volatile boolean ending;

  LingeringSink(FifoWriteChannel channel, FrameSink sink, Duration openTimeout) {
    this.channel = channel;
    this.sink = sink;
    this.openTimeout = openTimeout;
  }

  /** The view of {@code channel} the byte-stream sink writes to; its close is held back while {@code owner} ends. */
  static WritableByteChannel view(FifoWriteChannel channel, LingeringSink[] owner) {
    return new View(channel, owner);
  }

  private static final class View implements WritableByteChannel, WaitableChannel {
    private final FifoWriteChannel channel;
    private final LingeringSink[] owner;

    View(FifoWriteChannel channel, LingeringSink[] owner) {
      this.channel = channel;
      this.owner = owner;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return channel.write(src);
    }

    @Override
    public boolean awaitReady(Deadline deadline) throws IOException {
      return channel.awaitReady(deadline);
    }

    @Override
    public void wakeup() {
      channel.wakeup();
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() {
      LingeringSink o = owner[0];
      if (o == null || !o.ending) {
        channel.close();
      }
    }

    @Override
    public String toString() {
      return channel.toString();
    }
  }

  @Override
  public void start(String codecName, WireVersion version) throws IOException {
    sink.start(codecName, version);
    Deadline deadline = openTimeout == null ? Deadline.none() : Deadline.after(openTimeout);
    // The preamble alone, and wait until the reader has taken it: a reader that refuses it then has
    // read nothing else, and whatever follows stays unread (or finds the reader gone).
    if (!sink.flush(deadline) || !channel.awaitDrained(deadline)) {
      throw new OpenTimeoutException(channel + " (the reader did not read the preamble)", openTimeout);
    }
  }

  @Override
  public PayloadSink beginFrame(byte[] tagUtf8, Headers headers) throws IOException {
    return sink.beginFrame(tagUtf8, headers);
  }

  @Override
  public SendStatus commitFrame(Deadline deadline) throws IOException {
    return sink.commitFrame(deadline);
  }

  @Override
  public void abortFrame() {
    sink.abortFrame();
  }

  @Override
  public boolean flush(Deadline deadline) throws IOException {
    return sink.flush(deadline);
  }

  @Override
  public boolean hasPending() {
    return sink.hasPending();
  }

  @Override
  public boolean heartbeat() throws IOException {
    return sink.heartbeat();
  }

  @Override
  public void end(Deadline deadline) throws IOException {
    ending = true;
    try {
      sink.end(deadline); // writes the end of stream; its close of the channel is held back
      if (!channel.awaitDrained(deadline)) {
        SinkCounters c = sink.counters();
        throw new CloseTimeoutException(deadline.timeout(), c.messagesWritten(), 0, false, null);
      }
    } finally {
      channel.close();
    }
  }

  @Override
  public boolean abort(String reason, Deadline deadline) {
    try {
      return sink.abort(reason, deadline);
    } finally {
      channel.close();
    }
  }

  @Override
  public boolean awaitWritable(Deadline deadline) throws IOException {
    return sink.awaitWritable(deadline);
  }

  @Override
  public void wakeup() {
    sink.wakeup();
  }

  @Override
  public SinkCounters counters() {
    return sink.counters();
  }

  @Override
  public String description() {
    return sink.description();
  }

  @Override
  public void close() {
    sink.close();
    channel.close();
  }
}
