package dev.fifochan.internal;

import static dev.fifochan.internal.FrameDescriptor.CHECKSUM_LENGTH;
import static dev.fifochan.internal.FrameDescriptor.CODEC_LENGTH_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.CODEC_NAME_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.FLAGS_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.FLAG_ABORTED;
import static dev.fifochan.internal.FrameDescriptor.FLAG_CHECKSUM;
import static dev.fifochan.internal.FrameDescriptor.FLAG_END_OF_STREAM;
import static dev.fifochan.internal.FrameDescriptor.FLAG_HEADERS;
import static dev.fifochan.internal.FrameDescriptor.FLAG_HEARTBEAT;
import static dev.fifochan.internal.FrameDescriptor.FRAME_HEADER_LENGTH;
import static dev.fifochan.internal.FrameDescriptor.HEADERS_LENGTH_FIELD;
import static dev.fifochan.internal.FrameDescriptor.LENGTH_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.MAGIC;
import static dev.fifochan.internal.FrameDescriptor.PREAMBLE_HEADER_LENGTH;
import static dev.fifochan.internal.FrameDescriptor.TAG_LENGTH_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.TAG_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.VERSION_OFFSET;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.MalformedFrameException.HeaderFault;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.InboundRecord.Kind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The wire format's decoder, without I/O: bytes in, records out ({@code docs/wire-format.md} §2.3).
 *
 * <p>{@link #decode(ByteBuffer)} looks at the unread bytes of an input buffer (position to limit),
 * makes every check that the bytes present allow, in the spec's order, and returns the next record
 * once it is complete, consuming its bytes; otherwise it returns null and consumes nothing, and the
 * caller adds bytes (compacting the buffer) and calls again. Chunk boundaries may fall anywhere.
 * Lengths are checked before anything is allocated. A record longer than the input buffer's capacity
 * is assembled in a separate array: the decoder takes the bytes from the input buffer, and the caller
 * may read the rest straight into {@link #assemblyTarget()}. At the end of input the caller calls
 * {@link #endOfInput(ByteBuffer)}.
 *
 * <p>A stream failure ({@link StreamException}) is sticky: every later call throws it again. A frame
 * whose tag or header block is malformed is returned as a record with a
 * {@link DecodedRecord#malformation()}; the next record is unaffected.
 *
 * <p>The returned record is reused; it and its payload view (a read-only view of the input buffer, or
 * of the assembly array) are valid until the next call. Not thread-safe.
 */
public final class FrameDecoder {
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** An assembly array larger than this is released after its record (1 MiB). */
  private static final int RETAIN_ASSEMBLY = 1 << 20;
  private static final int TAG_CACHE_SIZE = 16;
  private static final String READER_VERSIONS = FrameDescriptor.VERSION_1_0 + ", " + FrameDescriptor.VERSION_1_1;

  private final int maxFrameLength;
  private Predicate<String> acceptsCodec;
  private String readerCodec;
  private final DecodedRecord record = new DecodedRecord();
  private final HeaderBlockView headers = new HeaderBlockView();
  private final CRC32C crc = new CRC32C();
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final String[] tagStrings = new String[TAG_CACHE_SIZE];
  private final byte[][] tagBytes = new byte[TAG_CACHE_SIZE][];
  private byte[] codecBytes = new byte[0];
  private String codecString = "";

  /** Position of the first byte of the next (or current, partly read) record. */
  private long position;
  private volatile int openWriters;
  private boolean seenPreamble;
  private boolean version11;
  private String firstAbortReason;
  private long firstAbortPosition = -1;
  private StreamException failure;
  private boolean ended;

  private ByteBuffer input;
  private ByteBuffer inputView;
  private ByteBuffer inputCrcView;

  private ByteBuffer assembly;
  private boolean assembling;

  /**
   * @param maxFrameLength the largest payload accepted, in bytes
   * @param acceptsCodec which codec names a preamble may announce (§2.7); null accepts every one
   * @param readerCodec the reader's codec name, for {@link IncompatibleStreamException#readerValue()}
   */
  public FrameDecoder(int maxFrameLength, Predicate<String> acceptsCodec, String readerCodec) {
    if (maxFrameLength < 0) {
      throw new IllegalArgumentException("maxFrameLength < 0");
    }
    this.maxFrameLength = maxFrameLength;
    this.acceptsCodec = acceptsCodec;
    this.readerCodec = readerCodec == null ? "" : readerCodec;
  }

  /**
   * Replaces the codec check given to the constructor (a receiver's, through
   * {@link dev.fifochan.spi.FrameSource#enforceCodecs}); applies to preambles decoded from now on.
   */
  public void acceptCodecs(Predicate<String> acceptsCodec, String readerCodec) {
    this.acceptsCodec = acceptsCodec;
    this.readerCodec = readerCodec == null ? "" : readerCodec;
  }

  /** Position of the next record's first byte: every byte of every record returned so far. */
  public long position() {
    return position;
  }

  /** Writer sessions started and not ended (any thread). */
  public int openWriters() {
    return openWriters;
  }

  /** Position of the first aborted end read on this session, or -1 (the aborted outcome's position). */
  public long firstAbortPosition() {
    return firstAbortPosition;
  }

  /** Whether a version-2 preamble has been read, so 1.1 records are allowed. */
  public boolean readsVersion11() {
    return version11;
  }

  /** While a record longer than the input buffer is being assembled: the buffer to read its remaining bytes into; else null. */
  public ByteBuffer assemblyTarget() {
    return assembling ? assembly : null;
  }

  /**
   * Decodes the next record from {@code in}'s unread bytes.
   *
   * @return the record (its bytes consumed from {@code in}), or null if more bytes are needed
   * @throws StreamException if the stream is broken (sticky)
   */
  public DecodedRecord decode(ByteBuffer in) throws StreamException {
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return end();
    }
    if (assembling) {
      return continueAssembly(in);
    }
    if (assembly != null && assembly.capacity() > RETAIN_ASSEMBLY) {
      assembly = null;
    }
    int avail = in.remaining();
    if (avail < 4) {
      return null;
    }
    int p = in.position();
    int first = in.getInt(p + LENGTH_OFFSET);
    if (first == MAGIC) {
      return preamble(in, p, avail);
    }
    // The first four bytes alone.
    if (openWriters == 0) {
      throw fail(new CorruptFrameException(seenPreamble ? CorruptFrameException.Reason.AFTER_END
          : CorruptFrameException.Reason.NO_WRITER, position, first & 0xFFFFFFFFL));
    }
    if ((first & FrameDescriptor.LENGTH_TOP_BIT) != 0) {
      throw fail(new CorruptFrameException(CorruptFrameException.Reason.TOP_BIT_LENGTH, position, first & 0xFFFFFFFFL));
    }
    if (first > maxFrameLength) {
      throw fail(new FrameTooLongException(first, maxFrameLength, position));
    }
    // Flags and tag length, read together.
    if (avail < FRAME_HEADER_LENGTH) {
      return null;
    }
    int flags = in.get(p + FLAGS_OFFSET) & 0xFF;
    int tagLength = in.get(p + TAG_LENGTH_OFFSET) & 0xFF;
    checkKind(flags, tagLength, first);
    int headersLength = 0;
    if ((flags & FLAG_HEADERS) != 0) {
      int field = TAG_OFFSET + tagLength;
      if (avail < field + HEADERS_LENGTH_FIELD) {
        return null;
      }
      headersLength = in.getShort(p + field) & 0xFFFF;
      if (headersLength > FrameDescriptor.MAX_HEADERS_LENGTH) {
        throw fail(new CorruptFrameException(CorruptFrameException.Reason.HEADERS_TOO_LONG, position, headersLength));
      }
    }
    long total = FrameDescriptor.frameLength(flags, tagLength, headersLength, first);
    if (total > in.capacity()) {
      return startAssembly(in, (int) total);
    }
    if (avail < total) {
      return null;
    }
    viewsOf(in);
    DecodedRecord r = frame(in, inputView, inputCrcView, p, (int) total, flags, tagLength, headersLength, first);
    in.position(p + (int) total);
    return r;
  }

  /**
   * The input ended: {@code in} holds the bytes left over (normally none).
   *
   * @return the clean end ({@link Kind#END}; with {@link DecodedRecord#abortReason()} if an aborted
   *     end was read on this session)
   * @throws TruncatedStreamException if the input ended inside a record, with writers still open, or
   *     before any preamble
   */
  public DecodedRecord endOfInput(ByteBuffer in) throws StreamException {
    if (failure != null) {
      throw failure;
    }
    if (!ended) {
      DecodedRecord r = decode(in); // a last complete record, if the caller has not taken it yet
      if (r != null) {
        return r;
      }
    }
    if (ended) {
      return end();
    }
    if (assembling || in.hasRemaining()) {
      throw fail(new TruncatedStreamException(TruncatedStreamException.Reason.IN_RECORD, position, openWriters));
    }
    if (!seenPreamble) {
      throw fail(new TruncatedStreamException(TruncatedStreamException.Reason.NOTHING_WRITTEN, position, 0));
    }
    if (openWriters != 0) {
      throw fail(new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, position, openWriters));
    }
    ended = true;
    return end();
  }

  private DecodedRecord end() {
    record.reset(Kind.END, position, 0, 0);
    record.abortReason = firstAbortReason;
    return record;
  }

  private void checkKind(int flags, int tagLength, int length) throws StreamException {
    if ((flags & ~FrameDescriptor.allowedFlags(version11)) != 0) {
      throw fail(new CorruptFrameException(CorruptFrameException.Reason.RESERVED_FLAGS, position, flags));
    }
    int kind = flags & ~FLAG_CHECKSUM;
    boolean lengthOk;
    if (kind == 0 || kind == FLAG_HEADERS) {
      return; // a message: any tag, any length up to the maximum (checked already)
    } else if (kind == FLAG_END_OF_STREAM || kind == FLAG_HEARTBEAT) {
      lengthOk = length == 0 && tagLength == 0;
    } else if (kind == (FLAG_END_OF_STREAM | FLAG_ABORTED)) {
      lengthOk = length <= FrameDescriptor.MAX_ABORT_REASON_LENGTH && tagLength == 0;
    } else {
      throw fail(new CorruptFrameException(CorruptFrameException.Reason.BAD_COMBINATION, position, flags));
    }
    if (!lengthOk) {
      throw fail(new CorruptFrameException(CorruptFrameException.Reason.BAD_RECORD_LENGTH, position, length));
    }
  }

  private DecodedRecord preamble(ByteBuffer in, int p, int avail) throws StreamException {
    if (avail < PREAMBLE_HEADER_LENGTH) {
      return null;
    }
    int version = in.get(p + VERSION_OFFSET) & 0xFF;
    int n = in.get(p + CODEC_LENGTH_OFFSET) & 0xFF;
    if (n == 0 || n > FrameDescriptor.MAX_CODEC_NAME_LENGTH) {
      throw fail(new CorruptFrameException(CorruptFrameException.Reason.CODEC_NAME_LENGTH, position, n));
    }
    int size = PREAMBLE_HEADER_LENGTH + n;
    if (avail < size) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      int b = in.get(p + CODEC_NAME_OFFSET + i) & 0xFF;
      if (!FrameDescriptor.isCodecNameByte(b)) {
        throw fail(new CorruptFrameException(CorruptFrameException.Reason.CODEC_NAME_BYTES, position, b));
      }
    }
    String codec = codecAt(in, p + CODEC_NAME_OFFSET, n);
    WireVersion wire = WireVersion.ofVersionByte(version);
    if (wire == null) {
      throw fail(new IncompatibleStreamException(IncompatibleStreamException.Reason.VERSION, Integer.toString(version),
          READER_VERSIONS, position));
    }
    if (acceptsCodec != null && !acceptsCodec.test(codec)) {
      throw fail(new IncompatibleStreamException(IncompatibleStreamException.Reason.CODEC, codec, readerCodec, position));
    }
    openWriters = openWriters + 1;
    seenPreamble = true;
    version11 |= wire == WireVersion.V1_1;
    record.reset(Kind.SESSION_START, position, 0, size);
    record.codecName = codec;
    record.wireVersion = wire;
    in.position(p + size);
    position += size;
    return record;
  }

  /**
   * Completes a frame whose {@code total} bytes start at {@code p} of {@code b}; {@code view} and
   * {@code crcView} are a read-only view and a duplicate of {@code b}. Does not move {@code b}.
   */
  private DecodedRecord frame(ByteBuffer b, ByteBuffer view, ByteBuffer crcView, int p, int total, int flags,
      int tagLength, int headersLength, int length) throws StreamException {
    if ((flags & FLAG_CHECKSUM) != 0) {
      int trailer = p + total - CHECKSUM_LENGTH;
      int expected = b.getInt(trailer);
      crcView.limit(trailer).position(p);
      crc.reset();
      crc.update(crcView);
      crcView.limit(crcView.capacity());
      int actual = (int) crc.getValue();
      if (actual != expected) {
        throw fail(new ChecksumMismatchException(expected, actual, position));
      }
    }
    long at = position;
    int payloadAt = p + TAG_OFFSET + tagLength + ((flags & FLAG_HEADERS) != 0 ? HEADERS_LENGTH_FIELD + headersLength : 0);
    int kind = flags & ~FLAG_CHECKSUM;
    position += total;
    if ((kind & FLAG_END_OF_STREAM) != 0) {
      openWriters = openWriters - 1;
      record.reset(Kind.SESSION_END, at, flags, total);
      if ((kind & FLAG_ABORTED) != 0) {
        byte[] reason = new byte[length];
        b.get(payloadAt, reason);
        record.abortReason = Utf8.decodeReplacingRuns(reason, 0, length); // never a failure
        if (firstAbortReason == null) {
          firstAbortReason = record.abortReason;
          firstAbortPosition = at;
        }
        record.payload = payloadView(view, payloadAt, length);
      }
      return record;
    }
    if (kind == FLAG_HEARTBEAT) {
      record.reset(Kind.HEARTBEAT, at, flags, total);
      return record;
    }
    record.reset(Kind.FRAME, at, flags, total);
    record.payload = payloadView(view, payloadAt, length);
    record.raw = b;
    record.rawTagAt = p + TAG_OFFSET;
    record.rawTagLength = tagLength;
    if ((flags & FLAG_HEADERS) != 0) {
      record.rawHeadersAt = p + TAG_OFFSET + tagLength + HEADERS_LENGTH_FIELD;
      record.rawHeadersLength = headersLength;
    }
    String tag = tagAt(b, p + TAG_OFFSET, tagLength);
    if (tag == null) {
      byte[] raw = new byte[tagLength];
      b.get(p + TAG_OFFSET, raw);
      record.tag = new String(raw, StandardCharsets.UTF_8);
      record.malformation = new MalformedFrameException(MalformedFrameException.Reason.BAD_TAG, null, record.tag,
          copy(record.payload), at);
      return record;
    }
    record.tag = tag;
    if ((flags & FLAG_HEADERS) != 0) {
      HeaderFault fault = headers.parse(b, p + TAG_OFFSET + tagLength + HEADERS_LENGTH_FIELD, headersLength);
      if (fault != null) {
        record.malformation = new MalformedFrameException(MalformedFrameException.Reason.BAD_HEADERS, fault, tag,
            copy(record.payload), at);
        return record;
      }
      record.headers = headers;
    }
    return record;
  }

  private DecodedRecord startAssembly(ByteBuffer in, int total) throws StreamException {
    if (assembly == null || assembly.capacity() < total) {
      assembly = ByteBuffer.allocate(total);
    }
    assembly.clear().limit(total);
    assembling = true;
    return continueAssembly(in);
  }

  private DecodedRecord continueAssembly(ByteBuffer in) throws StreamException {
    int take = Math.min(in.remaining(), assembly.remaining());
    if (take > 0) {
      int lim = in.limit();
      in.limit(in.position() + take);
      assembly.put(in);
      in.limit(lim);
    }
    if (assembly.hasRemaining()) {
      return null;
    }
    assembling = false;
    int total = assembly.position();
    int flags = assembly.get(FLAGS_OFFSET) & 0xFF;
    int tagLength = assembly.get(TAG_LENGTH_OFFSET) & 0xFF;
    int headersLength = (flags & FLAG_HEADERS) != 0 ? assembly.getShort(TAG_OFFSET + tagLength) & 0xFFFF : 0;
    int length = assembly.getInt(LENGTH_OFFSET);
    return frame(assembly, assembly.asReadOnlyBuffer(), assembly.duplicate(), 0, total, flags, tagLength,
        headersLength, length);
  }

  private void viewsOf(ByteBuffer in) {
    if (in != input) {
      input = in;
      inputView = in.asReadOnlyBuffer();
      inputCrcView = in.duplicate();
    }
  }

  private static ByteBuffer payloadView(ByteBuffer view, int at, int length) {
    view.limit(view.capacity()).position(at).limit(at + length);
    return view;
  }

  private static byte[] copy(ByteBuffer payload) {
    ByteBuffer p = payload.duplicate();
    byte[] bytes = new byte[p.remaining()];
    p.get(bytes);
    return bytes;
  }

  /** The tag at {@code pos}, from a small cache when seen before; null if it is not valid UTF-8. */
  private String tagAt(ByteBuffer b, int pos, int len) {
    if (len == 0) {
      return "";
    }
    int h = (len * 31 + b.get(pos) * 7 + b.get(pos + len - 1)) & (TAG_CACHE_SIZE - 1);
    byte[] known = tagBytes[h];
    if (known != null && known.length == len && sameBytes(b, pos, known)) {
      return tagStrings[h];
    }
    byte[] bytes = new byte[len];
    b.get(pos, bytes);
    String tag;
    try {
      CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
      tag = chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    tagBytes[h] = bytes;
    tagStrings[h] = tag;
    return tag;
  }

  /** Whether {@code b} holds {@code known} at {@code pos}: eight bytes per compare where it can. */
  private static boolean sameBytes(ByteBuffer b, int pos, byte[] known) {
    int len = known.length;
    if (len < Long.BYTES) {
      for (int i = 0; i < len; i++) {
        if (known[i] != b.get(pos + i)) {
          return false;
        }
      }
      return true;
    }
    boolean big = b.order() == ByteOrder.BIG_ENDIAN;
    int last = len - Long.BYTES;
    for (int i = 0; i < last; i += Long.BYTES) {
      if (b.getLong(pos + i) != longAt(known, i, big)) {
        return false;
      }
    }
    return b.getLong(pos + last) == longAt(known, last, big); // the tail, overlapping the word before it
  }

  private static long longAt(byte[] a, int i, boolean big) {
    return (long) (big ? LONG_BE : LONG_LE).get(a, i);
  }

  private String codecAt(ByteBuffer b, int pos, int len) {
    if (codecBytes.length == len) {
      boolean same = true;
      for (int i = 0; i < len && same; i++) {
        same = codecBytes[i] == b.get(pos + i);
      }
      if (same) {
        return codecString;
      }
    }
    byte[] bytes = new byte[len];
    b.get(pos, bytes);
    codecBytes = bytes;
    codecString = new String(bytes, StandardCharsets.US_ASCII);
    return codecString;
  }

  private StreamException fail(StreamException e) {
    failure = e;
    return e;
  }
}
