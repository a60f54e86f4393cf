package dev.fifochan.protobuf;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.fifochan.ChannelConfig;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.Deadline;
import dev.fifochan.DecodeException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.spi.WaitableChannel;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads protobuf's own length-delimited stream: each message preceded by its length as a varint, as
 * written by Java's {@code writeDelimitedTo}, Go's {@code protodelim.MarshalTo} and
 * {@link DelimitedProtobufWriter}. A compatibility mode for peers that use nothing but their protobuf
 * library; it is not fifochan's wire format.
 *
 * <p>The format's limits, which fifochan's own framing does not have: it carries no type tag (the
 * stream holds one message type, which both sides must agree on), no end-of-stream marker (a writer
 * that crashes between two messages looks exactly like one that closed cleanly) and no checksum.
 *
 * <p>{@link #read()} returns the next message, or null at end of file on a message boundary. It
 * checks a length against the maximum before allocating anything ({@link FrameTooLongException}),
 * reports end of file inside a length or a message as {@link TruncatedStreamException} and a length
 * varint longer than ten bytes as {@link CorruptFrameException}; after these the stream is unusable.
 * A message that does not parse is a {@link DecodeException}, after which the next message can be
 * read. Exception offsets are those of the message's length prefix, counted from the first byte read.
 * The source must be blocking or a {@link WaitableChannel}. Not thread-safe.
 *
 * @param <M> the message type
 */
public final class DelimitedProtobufReader<M extends Message> implements Closeable {
  private static final int INITIAL_BUFFER = 8192;
  private static final int MAX_VARINT_LENGTH = 10;

  private final Source source;
  private final Parser<? extends M> parser;
  private final int maxMessageLength;
  /** Unread bytes between position and limit; its backing array is read from directly. */
  private ByteBuffer buffer;
  /** Stream offset of buffer.position(). */
  private long offset;
  private boolean closed;

  /** Reads messages of {@code prototype}'s type from {@code source}, at most 16 MiB each. */
  public DelimitedProtobufReader(ReadableByteChannel source, M prototype) {
    this(source, prototype, ChannelConfig.defaults().maxFrameLength());
  }

  /**
   * Reads messages of {@code prototype}'s type from {@code source}, at most {@code maxMessageLength}
   * bytes each.
   */
  public DelimitedProtobufReader(ReadableByteChannel source, M prototype, int maxMessageLength) {
    this(channelSource(Objects.requireNonNull(source, "source")), prototype, maxMessageLength);
  }

  /** Reads messages of {@code prototype}'s type from {@code source}, at most 16 MiB each. */
  public DelimitedProtobufReader(InputStream source, M prototype) {
    this(source, prototype, ChannelConfig.defaults().maxFrameLength());
  }

  /**
   * Reads messages of {@code prototype}'s type from {@code source}, at most {@code maxMessageLength}
   * bytes each.
   */
  public DelimitedProtobufReader(InputStream source, M prototype, int maxMessageLength) {
    this(streamSource(Objects.requireNonNull(source, "source")), prototype, maxMessageLength);
  }

  private DelimitedProtobufReader(Source source, M prototype, int maxMessageLength) {
    if (maxMessageLength < 0 || maxMessageLength > Integer.MAX_VALUE - MAX_VARINT_LENGTH) {
      throw new IllegalArgumentException("maxMessageLength out of range: " + maxMessageLength);
    }
    this.source = source;
    this.parser = ProtobufCodec.parserOf(prototype);
    this.maxMessageLength = maxMessageLength;
    this.buffer = ByteBuffer.allocate(Math.min(INITIAL_BUFFER, maxMessageLength + MAX_VARINT_LENGTH)).limit(0);
  }

  /**
   * The next message, or null at end of file on a message boundary.
   *
   * @throws FrameTooLongException if the next message is longer than the maximum
   * @throws TruncatedStreamException if the source ends inside a length prefix or a message
   * @throws CorruptFrameException if a length prefix is not a valid varint
   * @throws DecodeException if the message's bytes do not parse; the stream stays usable
   */
  public M read() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    long start = offset;
    long length = 0;
    int prefix = 0;
    while (true) {
      if (!ensure(prefix + 1)) {
        if (prefix == 0 && !buffer.hasRemaining()) {
          return null;
        }
        throw new TruncatedStreamException(TruncatedStreamException.Reason.IN_RECORD, start, 0);
      }
      int b = buffer.get(buffer.position() + prefix);
      if (prefix == MAX_VARINT_LENGTH - 1 && (b & 0xff) > 1) {
        throw new CorruptFrameException(CorruptFrameException.Reason.VARINT_LENGTH, start, prefix + 1);
      }
      length |= (long) (b & 0x7f) << (7 * prefix);
      prefix++;
      if (b >= 0) {
        break;
      }
    }
    if (length < 0 || length > maxMessageLength) {
      throw new FrameTooLongException(length < 0 ? Long.MAX_VALUE : length, maxMessageLength, start);
    }
    int size = (int) length;
    if (!ensure(prefix + size)) {
      throw new TruncatedStreamException(TruncatedStreamException.Reason.IN_RECORD, start, 0);
    }
    int at = buffer.position() + prefix;
    buffer.position(at + size);
    offset += prefix + size;
    try {
      return parser.parseFrom(buffer.array(), buffer.arrayOffset() + at, size);
    } catch (InvalidProtocolBufferException e) {
      byte[] raw = Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + at, buffer.arrayOffset() + at + size);
      throw new DecodeException("", raw, start, e);
    }
  }

  /** The stream offset of the next message: the number of bytes consumed so far. */
  public long offset() {
    return offset;
  }

  /** Closes the source. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      source.close();
    }
  }

  /** Makes {@code n} unread bytes available; false if the source ends first. */
  private boolean ensure(int n) throws IOException {
    while (buffer.remaining() < n) {
      if (buffer.capacity() < n) {
        int capacity = (int) Math.min(Math.max(n, 2L * buffer.capacity()), (long) maxMessageLength + MAX_VARINT_LENGTH);
        ByteBuffer larger = ByteBuffer.allocate(capacity);
        larger.put(buffer).flip();
        buffer = larger;
      }
      buffer.compact();
      int read;
      try {
        read = source.read(buffer);
      } finally {
        buffer.flip();
      }
      if (read < 0) {
        return false;
      }
    }
    return true;
  }

  /** Where bytes come from: reads into the space after the buffer's position. */
  private interface Source extends Closeable {
    int read(ByteBuffer into) throws IOException;
  }

  private static Source channelSource(ReadableByteChannel channel) {
    return new Source() {
      @Override
      public int read(ByteBuffer into) throws IOException {
        while (true) {
          int n = channel.read(into);
          if (n != 0) {
            return n;
          }
          if (channel instanceof WaitableChannel) {
            ((WaitableChannel) channel).awaitReady(Deadline.none());
          }
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  private static Source streamSource(InputStream in) {
    return new Source() {
      @Override
      public int read(ByteBuffer into) throws IOException {
        int n = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
        if (n > 0) {
          into.position(into.position() + n);
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }
}
