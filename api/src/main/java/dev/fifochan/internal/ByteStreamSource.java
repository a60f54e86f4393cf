package dev.fifochan.internal;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.WaitStrategy;
import dev.fifochan.spi.FrameSource;
import dev.fifochan.spi.InboundRecord;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The read loop: a {@link FrameSource} over any {@link ReadableByteChannel}, around a
 * {@link FrameDecoder}. It reads into one reused page-aligned direct buffer and hands out records
 * whose payloads are views of that buffer (zero copy); a record larger than the buffer is read
 * straight into the decoder's assembly array.
 *
 * <p>It reads before it waits: a FIFO whose writer left before this end opened reports end of file to
 * {@code read(2)} but no hang-up to {@code poll(2)}. Over a {@link WaitableChannel} waits honour the
 * deadline, {@link #close()} and interrupts; over any other channel a read blocks in the channel, and a
 * call whose deadline has passed decodes only what is already buffered.
 *
 * <p>A plain source: a stream failure is sticky, and it does not resume after one.
 */
public final class ByteStreamSource implements FrameSource {
  private final ReadableByteChannel channel;
  private final WaitableChannel waitable;
  private final String description;
  private final WaitStrategy strategy;
  private final FrameDecoder decoder;
  private final ByteBuffer buf;
  private boolean eof;
  private volatile boolean closed;
  private long lastActivity = System.nanoTime();

  /**
   * @param channel the transport; waitable if it implements {@link WaitableChannel}
   * @param config frame limit, buffer size and wait strategy
   * @param acceptsCodec which codec names a preamble may announce; null accepts all
   * @param readerCodec the reader's codec name, for messages
   * @param description the transport end, for messages
   */
  public ByteStreamSource(ReadableByteChannel channel, ChannelConfig config, Predicate<String> acceptsCodec,
      String readerCodec, String description) {
    this(channel, config, acceptsCodec, readerCodec, description, Buffers.pageAlignedDirect(config.bufferSize()));
  }

  /** A source over a caller-provided buffer (of at least 4096 bytes), e.g. one reused across writer sessions. */
  public ByteStreamSource(ReadableByteChannel channel, ChannelConfig config, Predicate<String> acceptsCodec,
      String readerCodec, String description, ByteBuffer buffer) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.waitable = channel instanceof WaitableChannel ? (WaitableChannel) channel : null;
    this.description = description != null ? description : channel.toString();
    this.strategy = config.waitStrategy();
    this.decoder = new FrameDecoder(config.maxFrameLength(), acceptsCodec, readerCodec);
    if (buffer.capacity() < Buffers.PAGE) {
      throw new IllegalArgumentException("the read buffer must hold at least " + Buffers.PAGE + " bytes");
    }
    this.buf = buffer;
    buf.clear().limit(0);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A malformed frame is thrown as {@link dev.fifochan.MalformedFrameException}; the next call goes
   * on with the next record.
   */
  @Override
  public InboundRecord next(Deadline deadline) throws IOException {
    DecodedRecord r = nextRecord(deadline);
    if (r != null && r.malformation() != null) {
      throw r.malformation();
    }
    return r;
  }

  /**
   * Like {@link #next}, but returns a malformed frame as a record with its
   * {@link DecodedRecord#malformation()} instead of throwing it.
   */
  public DecodedRecord nextRecord(Deadline deadline) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    long idleSince = 0;
    while (true) {
      DecodedRecord r = decoder.decode(buf);
      if (r != null) {
        return r;
      }
      if (eof) {
        return decoder.endOfInput(buf);
      }
      if (waitable == null && deadline.hasExpired()) {
        return null; // a blocking channel: never read past a deadline
      }
      int n = readMore();
      if (n < 0) {
        eof = true;
      } else if (n == 0) {
        if (deadline.hasExpired()) {
          return null;
        }
        if (idleSince == 0) {
          idleSince = System.nanoTime();
        }
        if (!Waiting.idle(strategy, waitable, deadline, idleSince)) {
          return null;
        }
      } else {
        idleSince = 0;
        lastActivity = System.nanoTime();
      }
    }
  }

  @Override
  public long lastActivityNanos() {
    return lastActivity;
  }

  /** One read: into the decoder's assembly array while it assembles a large record, else into buf. */
  private int readMore() throws IOException {
    ByteBuffer target = decoder.assemblyTarget();
    if (target != null && !buf.hasRemaining()) {
      return channel.read(target);
    }
    buf.compact();
    try {
      return channel.read(buf);
    } finally {
      buf.flip();
    }
  }

  @Override
  public int openSessions() {
    return decoder.openWriters();
  }

  /** Position of the next record's first byte. */
  @Override
  public long position() {
    return decoder.position();
  }

  /** Position of the first aborted end read, or -1. */
  public long firstAbortPosition() {
    return decoder.firstAbortPosition();
  }

  /** The read buffer, for the next session's source to reuse once this one is done. */
  public ByteBuffer buffer() {
    return buf;
  }

  /** Whether the channel reported end of input. */
  public boolean atEndOfInput() {
    return eof;
  }

  /**
   * Discards input until the end of input, after a stream failure (for a following transport that
   * then opens the next writer's session). Returns false if the deadline passed first.
   */
  public boolean skipToEndOfInput(Deadline deadline) throws IOException {
    long idleSince = 0;
    while (!eof) {
      buf.clear();
      int n;
      try {
        n = channel.read(buf);
      } finally {
        buf.clear().limit(0);
      }
      if (n < 0) {
        eof = true;
      } else if (n == 0) {
        if (idleSince == 0) {
          idleSince = System.nanoTime();
        }
        if (deadline.hasExpired() || !Waiting.idle(strategy, waitable, deadline, idleSince)) {
          return false;
        }
      } else {
        idleSince = 0;
      }
    }
    return true;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      // closing: nothing more to read
    }
  }

  @Override
  public String toString() {
    return "ByteStreamSource[" + description + "]";
  }
}
