package dev.fifochan;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Writes wire-format records to any {@link WritableByteChannel}, coalescing them in one reused,
 * page-aligned direct buffer. A payload is encoded straight into that buffer ({@link #beginFrame});
 * one that does not fit spills into a reused heap array, and one larger than the buffer is written
 * from there directly. Frames reach the channel only whole and in order, and a frame that fails to
 * encode or to find room in time leaves nothing behind.
 *
 * <p>In fan-in mode ({@link ChannelConfig#fanIn()}) the buffer is {@link WireFormat#PIPE_BUF} bytes,
 * so every write holds only whole records and is atomic on a pipe; longer records are refused.
 *
 * <p>Not thread-safe: {@link Sender} serializes its callers.
 */
public final class FrameWriter implements Closeable {
  private static final int RETAIN_OVERFLOW = 1 << 20;

  private final WritableByteChannel channel;
  private final WaitableChannel waitable;
  private final int maxFrameLength;
  private boolean checksum;
  private final boolean atomic;
  private final ByteBuffer buf;
  private final ByteBuffer drainView;
  private final ByteBuffer crcView;
  private final int payloadLimit;
  private final CRC32C crc = new CRC32C();
  private final PayloadOutput out = new PayloadOutput();

  private int written;
  private int counted;
  private long messagesWritten;
  /** Whole messages appended to the buffer since it was last emptied, and how many of them are counted. */
  private int bufferedMessages;
  private int countedMessages;
  /** Wire size of the last frame, to drain before a like-sized one would spill. */
  private int lastFrameSize;
  private int spills;
  private ByteBuffer tail;

  private boolean inFrame;
  private int frameStart;
  private int payloadLength;
  private boolean overflowing;
  private byte[] overflow = new byte[0];
  private int overflowLength;

  /**
   * @param channel the sink; if it implements {@link WaitableChannel} it is treated as non-blocking
   * @param config frame limit, checksum, buffer size and fan-in mode
   */
  public FrameWriter(WritableByteChannel channel, ChannelConfig config) {
    this.channel = channel;
    this.waitable = channel instanceof WaitableChannel ? (WaitableChannel) channel : null;
    this.maxFrameLength = config.maxFrameLength();
    this.checksum = config.checksum();
    this.atomic = config.fanIn();
    this.buf = Buffers.pageAlignedDirect(atomic ? WireFormat.PIPE_BUF : config.bufferSize());
    this.drainView = buf.duplicate();
    this.crcView = buf.duplicate();
    this.payloadLimit = buf.limit() - WireFormat.CHECKSUM_LENGTH;
  }

  /** Turns checksums on or off for the frames that follow (streams normally keep one setting). */
  void checksum(boolean on) {
    this.checksum = on;
  }

  /** Appends a preamble announcing {@code codecName} (written with the next drain). */
  public void writePreamble(String codecName) throws IOException {
    if (!WireFormat.isValidCodecName(codecName)) {
      throw new IllegalArgumentException("codec name must be 1-64 printable ASCII characters: '" + codecName + "'");
    }
    byte[] name = codecName.getBytes(StandardCharsets.US_ASCII);
    int size = WireFormat.PREAMBLE_HEADER_LENGTH + name.length;
    if (buf.remaining() < size) {
      drain(-1);
    }
    buf.putInt(WireFormat.MAGIC).put((byte) WireFormat.VERSION).put((byte) name.length).put(name);
  }

  /**
   * Makes room for a frame like the last one before it is encoded: if it would not fit behind the
   * buffered frames, writes them first (within {@code timeoutNanos}; negative: no limit), so that a
   * stream of equally large messages never spills and copies twice.
   *
   * @return false if the time ran out (what was written stays written)
   */
  public boolean makeRoom(long timeoutNanos) throws IOException {
    int used = buf.position();
    if (used > 0 && used + lastFrameSize > payloadLimit && lastFrameSize <= payloadLimit) {
      return drain(timeoutNanos);
    }
    return true;
  }

  /**
   * Starts a frame with the given UTF-8 tag and returns the stream its payload is written to. Call
   * {@link #endFrame} or {@link #abortFrame} next.
   */
  public OutputStream beginFrame(byte[] tag) {
    if (inFrame) {
      throw new IllegalStateException("a frame is already in progress");
    }
    if (tag.length > WireFormat.MAX_TAG_LENGTH) {
      throw new IllegalArgumentException("type tag longer than 255 UTF-8 bytes");
    }
    inFrame = true;
    payloadLength = 0;
    frameStart = buf.position();
    int header = WireFormat.FRAME_HEADER_LENGTH + tag.length;
    if (frameStart + header <= payloadLimit) {
      overflowing = false;
      buf.putInt(0).put((byte) 0).put((byte) tag.length).put(tag);
    } else {
      overflowing = true;
      overflowLength = 0;
      growOverflow(header);
      putHeader(overflow, 0, 0, 0, tag.length);
      System.arraycopy(tag, 0, overflow, WireFormat.FRAME_HEADER_LENGTH, tag.length);
      overflowLength = header;
    }
    return out;
  }

  /**
   * Completes the frame begun last. If it had to spill out of the buffer, earlier frames are written
   * first to make room, within {@code timeoutNanos} (negative: no limit).
   *
   * @return false if no room was found in time: the frame was discarded and nothing of it written
   * @throws FrameTooLongException if the payload exceeds the limit (or, in fan-in mode, the record
   *     exceeds {@link WireFormat#PIPE_BUF}); the frame was discarded
   */
  public boolean endFrame(long timeoutNanos) throws IOException {
    if (!inFrame) {
      throw new IllegalStateException("no frame in progress");
    }
    if (payloadLength > maxFrameLength) {
      abortFrame();
      throw new FrameTooLongException(payloadLength, maxFrameLength, -1);
    }
    int flags = checksum ? WireFormat.FLAG_CHECKSUM : 0;
    if (!overflowing) {
      buf.putInt(frameStart, payloadLength);
      buf.put(frameStart + 4, (byte) flags);
      if (checksum) {
        crcView.limit(buf.position()).position(frameStart);
        crc.reset();
        crc.update(crcView);
        buf.putInt((int) crc.getValue());
      }
      inFrame = false;
      bufferedMessages++;
      lastFrameSize = buf.position() - frameStart;
      return true;
    }
    byte[] o = overflow;
    putHeader(o, 0, payloadLength, flags, o[5] & 0xFF);
    if (checksum) {
      growOverflow(overflowLength + WireFormat.CHECKSUM_LENGTH);
      o = overflow;
      crc.reset();
      crc.update(o, 0, overflowLength);
      int c = (int) crc.getValue();
      putInt(o, overflowLength, c);
      overflowLength += WireFormat.CHECKSUM_LENGTH;
    }
    int total = overflowLength;
    if (atomic && total > WireFormat.PIPE_BUF) {
      abortFrame();
      throw new FrameTooLongException(total, WireFormat.PIPE_BUF, -1);
    }
    long deadline = Buffers.deadline(timeoutNanos);
    if (!drainUntil(deadline)) {
      abortFrame();
      return false;
    }
    inFrame = false;
    overflowing = false;
    lastFrameSize = total;
    if (total <= buf.limit()) {
      buf.put(o, 0, total);
      bufferedMessages++;
      releaseOverflowIfLarge();
      return true;
    }
    tail = ByteBuffer.wrap(o, 0, total);
    overflow = new byte[0];
    if (!drainTail(deadline) && tail.position() == 0) {
      tail = null;
      return false;
    }
    return true;
  }

  /** Discards the frame begun last; nothing of it is written. */
  public void abortFrame() {
    if (inFrame) {
      if (!overflowing) {
        buf.position(frameStart);
      }
      inFrame = false;
      overflowing = false;
      releaseOverflowIfLarge();
    }
  }

  /** Appends an end-of-stream frame (written with the next drain). */
  public void writeEndOfStream() throws IOException {
    int size = WireFormat.FRAME_HEADER_LENGTH + (checksum ? WireFormat.CHECKSUM_LENGTH : 0);
    if (buf.remaining() < size) {
      drain(-1);
    }
    int start = buf.position();
    int flags = WireFormat.FLAG_END_OF_STREAM | (checksum ? WireFormat.FLAG_CHECKSUM : 0);
    buf.putInt(0).put((byte) flags).put((byte) 0);
    if (checksum) {
      crcView.limit(buf.position()).position(start);
      crc.reset();
      crc.update(crcView);
      buf.putInt((int) crc.getValue());
    }
  }

  /**
   * Writes everything buffered to the channel.
   *
   * @param timeoutNanos how long to wait for room in the pipe; negative: no limit
   * @return true if everything was written, false if the time ran out (what was written stays written)
   */
  public boolean drain(long timeoutNanos) throws IOException {
    return drainUntil(Buffers.deadline(timeoutNanos));
  }

  /** Waits at most {@code timeoutNanos} for room in the channel; returns at once for a blocking channel. */
  void awaitWritable(long timeoutNanos) throws IOException {
    if (waitable != null) {
      waitable.awaitReady(timeoutNanos);
    }
  }

  /** Whether bytes are waiting to be written. */
  public boolean hasPending() {
    return tail != null || buf.position() - written > 0;
  }

  /** Messages whose every byte has been written to the channel. */
  public long messagesWritten() {
    return messagesWritten;
  }

  /** Messages accepted but not yet completely written (an upper bound while a drain is in progress). */
  public long messagesPending() {
    return (tail != null ? 1 : 0) + bufferedMessages - countedMessages;
  }

  /** Closes the channel (without writing anything). */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  private boolean drainUntil(long deadline) throws IOException {
    if (tail != null && !drainTail(deadline)) {
      return false;
    }
    int end = inFrame && !overflowing ? frameStart : buf.position();
    while (written < end) {
      drainView.limit(end).position(written);
      int n = channel.write(drainView);
      if (n > 0) {
        written += n;
        if (written < end) {
          countWritten(); // a partial write: count the records it completed
        }
      } else if (!await(deadline)) {
        return false;
      }
    }
    if (!(inFrame && !overflowing)) {
      messagesWritten += bufferedMessages - countedMessages;
      bufferedMessages = 0;
      countedMessages = 0;
      buf.clear();
      written = 0;
      counted = 0;
    } else {
      countWritten();
    }
    return true;
  }

  private boolean drainTail(long deadline) throws IOException {
    while (tail.hasRemaining()) {
      int n = channel.write(tail);
      if (n == 0 && !await(deadline)) {
        return false;
      }
    }
    messagesWritten++; // a tail is always one large message
    tail = null;
    return true;
  }

  private void countWritten() {
    while (counted < written) {
      int size = recordSize(counted);
      if (counted + size > written) {
        return;
      }
      if (isMessage(counted)) {
        messagesWritten++;
        countedMessages++;
      }
      counted += size;
    }
  }

  private int recordSize(int p) {
    int first = buf.getInt(p);
    if (first == WireFormat.MAGIC) {
      return WireFormat.PREAMBLE_HEADER_LENGTH + (buf.get(p + 5) & 0xFF);
    }
    int flags = buf.get(p + 4);
    return WireFormat.FRAME_HEADER_LENGTH + (buf.get(p + 5) & 0xFF) + first
        + ((flags & WireFormat.FLAG_CHECKSUM) != 0 ? WireFormat.CHECKSUM_LENGTH : 0);
  }

  private boolean isMessage(int p) {
    return buf.getInt(p) != WireFormat.MAGIC && (buf.get(p + 4) & WireFormat.FLAG_END_OF_STREAM) == 0;
  }

  private boolean await(long deadline) throws IOException {
    return Buffers.await(waitable, deadline);
  }


  /** How often a payload spilled out of the buffer (for tests). */
  int spills() {
    return spills;
  }

  private void startOverflow() {
    spills++;
    int have = buf.position() - frameStart;
    overflowLength = 0;
    growOverflow(have + 256);
    crcView.limit(buf.position()).position(frameStart);
    crcView.get(overflow, 0, have);
    overflowLength = have;
    buf.position(frameStart);
    overflowing = true;
  }

  private void growOverflow(int need) {
    if (overflow.length < need) {
      int size = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, Math.max(8192, overflow.length * 2L)));
      byte[] bigger = new byte[size];
      System.arraycopy(overflow, 0, bigger, 0, overflowLength);
      overflow = bigger;
    }
  }

  private void releaseOverflowIfLarge() {
    if (overflow.length > RETAIN_OVERFLOW) {
      overflow = new byte[0];
    }
    overflowLength = 0;
  }

  private static void putHeader(byte[] a, int at, int length, int flags, int tagLength) {
    putInt(a, at, length);
    a[at + 4] = (byte) flags;
    a[at + 5] = (byte) tagLength;
  }

  private static void putInt(byte[] a, int at, int v) {
    a[at] = (byte) (v >>> 24);
    a[at + 1] = (byte) (v >>> 16);
    a[at + 2] = (byte) (v >>> 8);
    a[at + 3] = (byte) v;
  }

  /** The stream a codec writes a payload to: straight into the buffer, spilling when it is full. */
  private final class PayloadOutput extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      checkLimit(1);
      if (!overflowing) {
        if (buf.position() < payloadLimit) {
          buf.put((byte) b);
          payloadLength++;
          return;
        }
        startOverflow();
      }
      growOverflow(overflowLength + 1);
      overflow[overflowLength++] = (byte) b;
      payloadLength++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      checkLimit(len);
      if (!overflowing) {
        if (buf.position() + len <= payloadLimit) {
          buf.put(b, off, len);
          payloadLength += len;
          return;
        }
        startOverflow();
      }
      growOverflow(overflowLength + len);
      System.arraycopy(b, off, overflow, overflowLength, len);
      overflowLength += len;
      payloadLength += len;
    }

    private void checkLimit(int more) throws FrameTooLongException {
      if (!inFrame) {
        throw new IllegalStateException("payload written outside a frame");
      }
      long after = (long) payloadLength + more;
      if (after > maxFrameLength) {
        throw new FrameTooLongException(after, maxFrameLength, -1);
      }
    }

    @Override
    public void close() {
      // The frame buffer outlives the codec call; closing is a no-op.
    }
  }
}
