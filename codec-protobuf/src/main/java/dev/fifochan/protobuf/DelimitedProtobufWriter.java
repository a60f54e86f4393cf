package dev.fifochan.protobuf;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.fifochan.EncodeException;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.spi.WaitableChannel;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * Writes protobuf's own length-delimited stream: each message preceded by its length as a varint, as
 * read by Java's {@code parseDelimitedFrom}, Go's {@code protodelim.UnmarshalFrom} and
 * {@link DelimitedProtobufReader}. A compatibility mode for peers that use nothing but their protobuf
 * library; it is not fifochan's wire format.
 *
 * <p>The format's limits: no type tag (the stream holds one message type), no end-of-stream marker
 * (a reader cannot tell a crash between two messages from a clean close) and no checksum.
 *
 * <p>Each {@link #write} hands the length and the message to the sink in one write call; wrap an
 * {@code OutputStream} sink in a {@code BufferedOutputStream} to batch messages, and call
 * {@link #flush()}. A message longer than the maximum is refused with {@link MessageTooLongException}
 * before anything of it is written. The sink must be blocking or a {@link WaitableChannel}. Not
 * thread-safe.
 *
 * @param <M> the message type
 */
public final class DelimitedProtobufWriter<M extends Message> implements Closeable, Flushable {
  private static final int INITIAL_BUFFER = 8192;

  private final WritableByteChannel channel;
  private final OutputStream stream;
  private final int maxMessageLength;
  private byte[] buffer = new byte[INITIAL_BUFFER];
  private long offset;
  private boolean closed;

  /** Writes to {@code sink}, messages of at most 16 MiB. */
  public DelimitedProtobufWriter(WritableByteChannel sink) {
    this(sink, ChannelConfig.defaults().maxFrameLength());
  }

  /** Writes to {@code sink}, messages of at most {@code maxMessageLength} bytes. */
  public DelimitedProtobufWriter(WritableByteChannel sink, int maxMessageLength) {
    this(Objects.requireNonNull(sink, "sink"), null, maxMessageLength);
  }

  /** Writes to {@code sink}, messages of at most 16 MiB. */
  public DelimitedProtobufWriter(OutputStream sink) {
    this(sink, ChannelConfig.defaults().maxFrameLength());
  }

  /** Writes to {@code sink}, messages of at most {@code maxMessageLength} bytes. */
  public DelimitedProtobufWriter(OutputStream sink, int maxMessageLength) {
    this(null, Objects.requireNonNull(sink, "sink"), maxMessageLength);
  }

  private DelimitedProtobufWriter(WritableByteChannel channel, OutputStream stream, int maxMessageLength) {
    if (maxMessageLength < 0) {
      throw new IllegalArgumentException("maxMessageLength out of range: " + maxMessageLength);
    }
    this.channel = channel;
    this.stream = stream;
    this.maxMessageLength = maxMessageLength;
  }

  /**
   * Writes {@code message} with its length prefix.
   *
   * @throws MessageTooLongException if the message is longer than the maximum; nothing was written
   * @throws EncodeException if the message lacks required (proto2) fields; nothing was written
   */
  public void write(M message) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    int size = message.getSerializedSize();
    if (size > maxMessageLength) {
      throw new MessageTooLongException(size, maxMessageLength, MessageTooLongException.Limit.FRAME);
    }
    if (!message.isInitialized()) {
      throw new EncodeException(ProtobufCodec.NAME, message.getDescriptorForType().getFullName(),
          new com.google.protobuf.UninitializedMessageException(message.findInitializationErrors()));
    }
    int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    if (buffer.length < total) {
      buffer = new byte[Math.max(total, 2 * buffer.length)];
    }
    CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, total);
    out.writeUInt32NoTag(size);
    message.writeTo(out);
    out.checkNoSpaceLeft();
    if (stream != null) {
      stream.write(buffer, 0, total);
    } else {
      ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, total);
      while (bytes.hasRemaining()) {
        if (channel.write(bytes) == 0 && channel instanceof WaitableChannel) {
          ((WaitableChannel) channel).awaitReady(Deadline.none());
        }
      }
    }
    offset += total;
  }

  /** The number of bytes written so far. */
  public long offset() {
    return offset;
  }

  /** Flushes an {@code OutputStream} sink; a channel has nothing to flush. */
  @Override
  public void flush() throws IOException {
    if (stream != null) {
      stream.flush();
    }
  }

  /** Flushes and closes the sink. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (stream != null) {
      stream.close(); // flushes first
    } else {
      channel.close();
    }
  }
}
