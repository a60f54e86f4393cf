package dev.fifochan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Reads wire-format records (preambles, frames, end-of-stream frames) from any
 * {@link ReadableByteChannel}, independent of the transport and of codecs. Byte boundaries may fall
 * anywhere: a record split across reads, or many records in one read, are handled alike.
 *
 * <p>Every check of {@code docs/wire-format.md} §5 is made in the documented order; lengths are
 * checked before anything is allocated. After a framing failure the reader is failed: every later
 * call throws the same exception. A timed {@link #next(long)} that runs out of time consumes nothing
 * and can be called again.
 *
 * <p>Not thread-safe: one thread reads at a time ({@link Receiver} serializes its callers).
 */
public final class FrameReader implements Closeable {
  private static final int RETAIN_LARGE = 1 << 20;

  private final ReadableByteChannel channel;
  private final WaitableChannel waitable;
  private final int maxFrameLength;
  private final Predicate<String> codecFilter;
  private final ByteBuffer buf;
  private final ByteBuffer crcView;
  private final ByteBuffer payloadView;
  private final CRC32C crc = new CRC32C();
  private final WireRecord rec = new WireRecord();
  private final String[] tagStrings = new String[16];
  private final byte[][] tagBytes = new byte[16][];

  private long offset;
  private int writers;
  private boolean seenPreamble;
  private boolean eof;
  private boolean ended;
  private StreamException failure;

  private ByteBuffer large;
  private boolean inLarge;
  private long largeOffset;

  /**
   * @param channel the source; if it implements {@link WaitableChannel} it is treated as non-blocking
   * @param maxFrameLength the largest payload accepted
   * @param bufferSize the read buffer size (rounded up to whole 4 KiB pages, at least one page)
   * @param codecFilter accepts the codec names a preamble may announce; {@code null} accepts all
   */
  public FrameReader(ReadableByteChannel channel, int maxFrameLength, int bufferSize, Predicate<String> codecFilter) {
    this(channel, maxFrameLength, Buffers.pageAlignedDirect(Math.max(bufferSize, Buffers.PAGE)), codecFilter);
  }

  /** A reader over a caller-provided buffer (reused across readers by the fuzz tests). */
  FrameReader(ReadableByteChannel channel, int maxFrameLength, ByteBuffer buffer, Predicate<String> codecFilter) {
    if (buffer.capacity() < Buffers.PAGE) {
      throw new IllegalArgumentException("buffer must hold at least " + Buffers.PAGE + " bytes");
    }
    this.channel = channel;
    this.waitable = channel instanceof WaitableChannel ? (WaitableChannel) channel : null;
    this.maxFrameLength = maxFrameLength;
    this.codecFilter = codecFilter;
    this.buf = buffer;
    this.buf.clear().limit(0);
    this.crcView = buf.duplicate();
    this.payloadView = buf.asReadOnlyBuffer();
  }

  /** A reader with the limits of {@code config} that accepts any codec. */
  public FrameReader(ReadableByteChannel channel, ChannelConfig config) {
    this(channel, config.maxFrameLength(), config.bufferSize(), null);
  }

  /** Reads the next record, waiting as long as it takes. */
  public WireRecord next() throws IOException {
    return next(-1);
  }

  /**
   * Reads the next record.
   *
   * @param timeoutNanos how long to wait for bytes; negative waits without limit
   * @return the record (reused by the next call), or {@code null} if the time ran out
   * @throws StreamException for a framing failure (the reader stays failed)
   */
  public WireRecord next(long timeoutNanos) throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (large != null && !inLarge && large.capacity() > RETAIN_LARGE) {
      large = null;
    }
    if (ended) {
      return end();
    }
    long deadline = Buffers.deadline(timeoutNanos);
    if (inLarge) {
      return continueLarge(deadline);
    }
    if (!ensure(4, deadline)) {
      return shortRead();
    }
    int p = buf.position();
    int first = buf.getInt(p);
    if (first == WireFormat.MAGIC) {
      return preamble(deadline);
    }
    if (writers == 0) {
      throw fail(new CorruptFrameException(seenPreamble
          ? "frame after every writer sent its end of stream"
          : "frame before any preamble: not a fifochan stream", offset));
    }
    if (first < 0) {
      throw fail(new CorruptFrameException(String.format("length %08x has its top bit set", first), offset));
    }
    if (first > maxFrameLength) {
      throw fail(new FrameTooLongException(first & 0xFFFFFFFFL, maxFrameLength, offset));
    }
    if (!ensure(WireFormat.FRAME_HEADER_LENGTH, deadline)) {
      return shortRead();
    }
    p = buf.position(); // ensure() may have compacted the buffer
    int flags = buf.get(p + 4) & 0xFF;
    int tagLength = buf.get(p + 5) & 0xFF;
    if ((flags & ~(WireFormat.FLAG_END_OF_STREAM | WireFormat.FLAG_CHECKSUM)) != 0) {
      throw fail(new CorruptFrameException(String.format("reserved flag bits set in %02x", flags), offset));
    }
    if ((flags & WireFormat.FLAG_END_OF_STREAM) != 0 && (first != 0 || tagLength != 0)) {
      throw fail(new CorruptFrameException("end-of-stream frame with a tag or payload", offset));
    }
    long total = (long) WireFormat.FRAME_HEADER_LENGTH + tagLength + first
        + ((flags & WireFormat.FLAG_CHECKSUM) != 0 ? WireFormat.CHECKSUM_LENGTH : 0);
    if (total > buf.capacity()) {
      return startLarge(total, first, deadline);
    }
    if (!ensure((int) total, deadline)) {
      return shortRead();
    }
    p = buf.position();
    int end = p + (int) total;
    if ((flags & WireFormat.FLAG_CHECKSUM) != 0) {
      verifyChecksum(crcView, p, end, offset);
    }
    rec.kind = (flags & WireFormat.FLAG_END_OF_STREAM) != 0 ? WireRecord.Kind.END_OF_STREAM : WireRecord.Kind.FRAME;
    rec.offset = offset;
    rec.flags = flags;
    rec.tagLength = tagLength;
    rec.tag = tagAt(buf, p + WireFormat.FRAME_HEADER_LENGTH, tagLength);
    rec.length = first;
    int payloadStart = p + WireFormat.FRAME_HEADER_LENGTH + tagLength;
    payloadView.limit(payloadView.capacity()).position(payloadStart).limit(payloadStart + first);
    rec.payload = payloadView;
    consume((int) total);
    if (rec.kind == WireRecord.Kind.END_OF_STREAM) {
      writers--;
    }
    return rec;
  }

  /** Stream offset of the next unread byte. */
  public long offset() {
    return offset;
  }

  /** Writers that sent a preamble and no end-of-stream frame yet. */
  public int openWriters() {
    return writers;
  }

  /** The read buffer, for a reader of the next stream to reuse once this one is done. */
  ByteBuffer buffer() {
    return buf;
  }

  /** Closes the channel. */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Discards everything until the transport's end of file, after a failure, so that a following
   * receiver can start afresh with the next writer. Returns false if the deadline passed first.
   */
  boolean drainToEndOfFile(long deadline) throws IOException {
    buf.limit(0);
    while (!eof) {
      buf.clear();
      int r = readMore();
      if (r < 0) {
        eof = true;
      } else if (r == 0 && !await(deadline)) {
        buf.limit(0);
        return false;
      }
      buf.limit(0);
    }
    return true;
  }

  private WireRecord preamble(long deadline) throws IOException {
    if (!ensure(WireFormat.PREAMBLE_HEADER_LENGTH, deadline)) {
      return shortRead();
    }
    int p = buf.position();
    int version = buf.get(p + 4) & 0xFF;
    int n = buf.get(p + 5) & 0xFF;
    if (n == 0 || n > WireFormat.MAX_CODEC_NAME_LENGTH) {
      throw fail(new CorruptFrameException("preamble codec-name length " + n + " is not 1.." + WireFormat.MAX_CODEC_NAME_LENGTH, offset));
    }
    if (!ensure(WireFormat.PREAMBLE_HEADER_LENGTH + n, deadline)) {
      return shortRead();
    }
    p = buf.position();
    byte[] name = new byte[n];
    buf.get(p + WireFormat.PREAMBLE_HEADER_LENGTH, name);
    for (byte b : name) {
      if (b < 0x21 || b > 0x7e) {
        throw fail(new CorruptFrameException("preamble codec name is not printable ASCII", offset));
      }
    }
    String codec = new String(name, StandardCharsets.US_ASCII);
    if (version != WireFormat.VERSION) {
      throw fail(new IncompatibleStreamException("writer speaks wire format version " + version + ", this reader version " + WireFormat.VERSION, offset));
    }
    if (codecFilter != null && !codecFilter.test(codec)) {
      throw fail(new IncompatibleStreamException("writer encodes with codec '" + codec + "', which this reader's codec cannot read", offset));
    }
    writers++;
    seenPreamble = true;
    rec.kind = WireRecord.Kind.PREAMBLE;
    rec.offset = offset;
    rec.flags = 0;
    rec.tag = "";
    rec.tagLength = 0;
    rec.codecName = codec;
    rec.length = 0;
    rec.payload = null;
    consume(WireFormat.PREAMBLE_HEADER_LENGTH + n);
    return rec;
  }

  private WireRecord startLarge(long total, int length, long deadline) throws IOException {
    if (total > Integer.MAX_VALUE - 16) {
      throw fail(new FrameTooLongException(length, Integer.MAX_VALUE - 16 - 265, offset));
    }
    int size = (int) total;
    if (large == null || large.capacity() < size) {
      large = ByteBuffer.allocate(size);
    }
    large.clear().limit(size);
    largeOffset = offset;
    int take = Math.min(buf.remaining(), size);
    ByteBuffer src = buf.duplicate();
    src.limit(src.position() + take);
    large.put(src);
    consume(take);
    inLarge = true;
    return continueLarge(deadline);
  }

  /** Reads the rest of a frame larger than the buffer into {@code large}, which starts with its header. */
  private WireRecord continueLarge(long deadline) throws IOException {
    int length = large.getInt(0);
    while (large.hasRemaining()) {
      int r = channel.read(large);
      if (r < 0) {
        eof = true;
        inLarge = false;
        throw fail(new TruncatedStreamException("end of file inside a " + length + "-byte frame", largeOffset));
      }
      if (r == 0) {
        if (!await(deadline)) {
          return null;
        }
      } else {
        offset += r;
      }
    }
    inLarge = false;
    int flags = large.get(4) & 0xFF;
    int tagLength = large.get(5) & 0xFF;
    if ((flags & WireFormat.FLAG_CHECKSUM) != 0) {
      verifyChecksum(large.duplicate(), 0, large.position(), largeOffset);
    }
    rec.kind = WireRecord.Kind.FRAME;
    rec.offset = largeOffset;
    rec.flags = flags;
    rec.tagLength = tagLength;
    rec.tag = tagAt(large, WireFormat.FRAME_HEADER_LENGTH, tagLength);
    rec.length = length;
    int start = WireFormat.FRAME_HEADER_LENGTH + tagLength;
    ByteBuffer view = large.asReadOnlyBuffer();
    view.limit(start + length).position(start);
    rec.payload = view;
    return rec;
  }

  /** Checks the CRC-32C trailer of the record in {@code view}'s buffer between {@code start} and {@code end}. */
  private void verifyChecksum(ByteBuffer view, int start, int end, long at) throws StreamException {
    int trailer = end - WireFormat.CHECKSUM_LENGTH;
    view.limit(view.capacity());
    int expected = view.getInt(trailer);
    view.position(start).limit(trailer);
    crc.reset();
    crc.update(view);
    int actual = (int) crc.getValue();
    if (actual != expected) {
      throw fail(new ChecksumMismatchException(expected, actual, at));
    }
  }

  private String tagAt(ByteBuffer b, int pos, int len) {
    if (len == 0) {
      return "";
    }
    int h = (len * 31 + b.get(pos) * 7 + b.get(pos + len - 1)) & 15;
    byte[] known = tagBytes[h];
    if (known != null && known.length == len) {
      boolean same = true;
      for (int i = 0; i < len; i++) {
        if (known[i] != b.get(pos + i)) {
          same = false;
          break;
        }
      }
      if (same) {
        return tagStrings[h];
      }
    }
    byte[] bytes = new byte[len];
    b.get(pos, bytes);
    String tag = new String(bytes, StandardCharsets.UTF_8);
    tagBytes[h] = bytes;
    tagStrings[h] = tag;
    return tag;
  }

  private WireRecord shortRead() throws StreamException {
    if (!eof) {
      return null;
    }
    if (buf.hasRemaining()) {
      throw fail(new TruncatedStreamException("end of file inside a record", offset));
    }
    if (writers == 0 && seenPreamble) {
      ended = true;
      return end();
    }
    throw fail(new TruncatedStreamException(seenPreamble
        ? "end of file while " + writers + " writer(s) had not sent end of stream: a writer died or closed uncleanly"
        : "end of file before any preamble: the writer vanished before it wrote anything", offset));
  }

  private WireRecord end() {
    rec.kind = WireRecord.Kind.END;
    rec.offset = offset;
    rec.flags = 0;
    rec.tag = "";
    rec.length = 0;
    rec.payload = null;
    return rec;
  }

  private boolean ensure(int n, long deadline) throws IOException {
    while (buf.remaining() < n) {
      if (eof) {
        return false;
      }
      // Read first, wait only when nothing came: a FIFO whose writer left before this end was
      // opened reports end of file to read(2) but never POLLHUP to poll(2).
      buf.compact();
      int r = readMore();
      if (r < 0) {
        eof = true;
        return false;
      }
      if (r == 0 && !await(deadline)) {
        return false;
      }
    }
    return true;
  }

  private boolean await(long deadline) throws IOException {
    return Buffers.await(waitable, deadline);
  }


  /** One read into the buffer (in write mode), leaving it in read mode. */
  private int readMore() throws IOException {
    try {
      return channel.read(buf);
    } finally {
      buf.flip();
    }
  }

  private void consume(int n) {
    buf.position(buf.position() + n);
    offset += n;
  }

  private StreamException fail(StreamException e) {
    failure = e;
    return e;
  }
}
