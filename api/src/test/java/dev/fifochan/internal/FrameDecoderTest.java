package dev.fifochan.internal;

import static dev.fifochan.Wire.ABORTED;
import static dev.fifochan.Wire.CRC;
import static dev.fifochan.Wire.EOS;
import static dev.fifochan.Wire.HEADERS;
import static dev.fifochan.Wire.HEARTBEAT;
import static dev.fifochan.Wire.headerBlock;
import static dev.fifochan.Wire.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.FrameTooLongException;
import dev.fifochan.IncompatibleStreamException;
import dev.fifochan.MalformedFrameException;
import dev.fifochan.MalformedFrameException.HeaderFault;
import dev.fifochan.StreamException;
import dev.fifochan.TruncatedStreamException;
import dev.fifochan.Wire;
import dev.fifochan.spi.InboundRecord.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure decoder against hand-made bytes: every check of wire format §2.3, in its order. */
class FrameDecoderTest {
  private static final int MAX = 1 << 20;

  /** What decoding a whole stream gave: the records (as text) and the failure, if any. */
  static final class Result {
    final List<String> records = new ArrayList<>();
    StreamException failure;
    long endPosition = -1;
    String endAbortReason;
    final List<MalformedFrameException> malformed = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
  }

  /** Feeds {@code stream} to a decoder {@code chunk} bytes at a time through a buffer of {@code capacity}. */
  static Result decode(byte[] stream, int chunk, int capacity, int max, java.util.function.Predicate<String> accepts) {
    FrameDecoder d = new FrameDecoder(max, accepts, "reader");
    ByteBuffer in = ByteBuffer.allocate(capacity);
    in.limit(0);
    int pos = 0;
    Result result = new Result();
    try {
      while (true) {
        DecodedRecord r = d.decode(in);
        if (r == null && pos >= stream.length) {
          r = d.endOfInput(in);
        }
        if (r != null) {
          result.records.add(describe(r));
          if (r.kind() == Kind.FRAME && r.malformation() == null) {
            byte[] p = new byte[r.payload().remaining()];
            r.payload().duplicate().get(p);
            result.payloads.add(p);
          }
          if (r.malformation() != null) {
            result.malformed.add(r.malformation());
          }
          if (r.kind() == Kind.END) {
            result.endPosition = r.position();
            result.endAbortReason = r.abortReason();
            return result;
          }
          continue;
        }
        int n = Math.min(chunk, stream.length - pos);
        ByteBuffer target = d.assemblyTarget();
        if (target != null && !in.hasRemaining()) {
          n = Math.min(n, target.remaining());
          target.put(stream, pos, n);
        } else {
          in.compact();
          n = Math.min(n, in.remaining());
          in.put(stream, pos, n);
          in.flip();
        }
        pos += n;
      }
    } catch (StreamException e) {
      result.failure = e;
      StreamException again = assertThrows(StreamException.class, () -> d.decode(in));
      assertSame(e, again, "a failed decoder keeps failing with the same exception");
      return result;
    }
  }

  static Result decode(byte[] stream) {
    Result whole = decode(stream, Integer.MAX_VALUE, 4096, MAX, null);
    for (int chunk : new int[] {1, 2, 3, 5, 7, 64}) {
      Result r = decode(stream, chunk, 4096, MAX, null);
      assertEquals(whole.records, r.records, "chunk " + chunk);
      assertEquals(String.valueOf(whole.failure), String.valueOf(r.failure), "chunk " + chunk);
    }
    return whole;
  }

  static String describe(DecodedRecord r) {
    switch (r.kind()) {
      case SESSION_START:
        return "start " + r.codecName() + " v" + r.wireVersion() + " @" + r.position();
      case FRAME:
        if (r.malformation() != null) {
          return "malformed " + r.malformation().reason() + " @" + r.position();
        }
        return "frame '" + r.tag() + "' " + (r.headers().isEmpty() ? "" : r.headers() + " ")
            + StandardCharsets.UTF_8.decode(r.payload().duplicate()) + " @" + r.position();
      case SESSION_END:
        return (r.abortReason() != null ? "aborted " + r.abortReason() : "end") + " @" + r.position();
      case HEARTBEAT:
        return "heartbeat @" + r.position();
      default:
        return "END @" + r.position();
    }
  }

  private static <T extends StreamException> T failure(Class<T> type, Result r, long position) {
    assertNotNull(r.failure, "expected " + type.getSimpleName() + ", got records " + r.records);
    T e = assertInstanceOf(type, r.failure);
    assertEquals(position, e.position(), e.getMessage());
    return e;
  }

  private static CorruptFrameException corrupt(Result r, CorruptFrameException.Reason reason, long position) {
    CorruptFrameException e = failure(CorruptFrameException.class, r, position);
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  // ---------------------------------------------------------------- clean streams

  @Test
  void cleanOneZeroStreamEndsAtItsLastByte() {
    byte[] s = Wire.stream().preamble(1, "string").message("a").message("tag", "bc").end().bytes();
    Result r = decode(s);
    assertNull(r.failure);
    assertEquals(List.of("start string v1.0 @0", "frame '' a @12", "frame 'tag' bc @19", "end @30", "END @36"), r.records);
    assertEquals(s.length, r.endPosition);
    assertNull(r.endAbortReason);
  }

  @Test
  void oneOneStreamCarriesHeadersHeartbeatsAndAnAbortedEnd() {
    byte[] block = headerBlock("fc-id", "7", "content-type", "text/plain");
    byte[] s = Wire.stream().preamble(2, "string")
        .frame(HEADERS, utf8("t"), block, utf8("hello"))
        .heartbeat()
        .frame(HEADERS | CRC, new byte[0], block, utf8("x"))
        .aborted("disk full").bytes();
    Result r = decode(s);
    assertNull(r.failure, () -> String.valueOf(r.failure));
    assertEquals("start string v1.1 @0", r.records.get(0));
    assertEquals("frame 't' {fc-id=7, content-type=text/plain} hello @12", r.records.get(1));
    assertTrue(r.records.get(2).startsWith("heartbeat"), r.records.toString());
    assertTrue(r.records.get(4).startsWith("aborted disk full"), r.records.toString());
    assertEquals(s.length, r.endPosition);
    assertEquals("disk full", r.endAbortReason, "the input ended after an aborted end: the aborted outcome");
  }

  @Test
  void fanInCountsWritersAndEndsCleanOnlyWhenAllEnded() {
    byte[] s = Wire.stream().preamble(1, "bytes").message("a").preamble(2, "bytes").message("b").end().heartbeat().end().bytes();
    Result r = decode(s);
    assertNull(r.failure, () -> String.valueOf(r.failure));
    assertEquals(8, r.records.size(), r.records.toString());
    byte[] cut = Wire.stream().preamble(1, "bytes").message("a").preamble(1, "bytes").end().bytes();
    TruncatedStreamException e = failure(TruncatedStreamException.class, decode(cut), cut.length);
    assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason());
    assertEquals(1, e.openWriters());
  }

  @Test
  void abortedReasonDecodesWithReplacementCharactersAndNeverFails() {
    byte[] s = Wire.stream().preamble(2, "bytes").frame(EOS | ABORTED, new byte[0], null, new byte[] {'o', (byte) 0xFF, 'k'}).bytes();
    Result r = decode(s);
    assertNull(r.failure);
    assertEquals("o\uFFFDk", r.endAbortReason);
  }

  // ---------------------------------------------------------------- preamble checks, in order

  @Test
  void codecNameLengthIsCheckedBeforeTheNameIsRead() {
    // codec-len 65 and nothing after it: corrupt, not truncated
    corrupt(decode(Wire.stream().raw(0x89, 0x46, 0x43, 0x48, 2, 65).bytes()), CorruptFrameException.Reason.CODEC_NAME_LENGTH, 0);
    corrupt(decode(Wire.stream().raw(0x89, 0x46, 0x43, 0x48, 1, 0).bytes()), CorruptFrameException.Reason.CODEC_NAME_LENGTH, 0);
    // the magic alone: truncated
    TruncatedStreamException t = failure(TruncatedStreamException.class, decode(Wire.stream().raw(0x89, 0x46, 0x43, 0x48, 1).bytes()), 0);
    assertEquals(TruncatedStreamException.Reason.IN_RECORD, t.reason());
  }

  @Test
  void codecNameBytesAreCheckedBeforeTheVersion() {
    CorruptFrameException e = corrupt(decode(Wire.stream().preamble(9, "by tes").end().bytes()),
        CorruptFrameException.Reason.CODEC_NAME_BYTES, 0);
    assertEquals(0x20, e.value());
  }

  @Test
  void versionIsCheckedBeforeTheCodec() {
    IncompatibleStreamException e = failure(IncompatibleStreamException.class,
        decode(Wire.stream().preamble(3, "nope").bytes(), Integer.MAX_VALUE, 4096, MAX, c -> false), 0);
    assertEquals(IncompatibleStreamException.Reason.VERSION, e.reason());
    assertEquals("3", e.writerValue());
  }

  @Test
  void codecNotAcceptedIsIncompatible() {
    byte[] s = Wire.stream().preamble(1, "string").message("x").end().preamble(2, "protobuf").bytes();
    Result r = decode(s, Integer.MAX_VALUE, 4096, MAX, "string"::equals);
    IncompatibleStreamException e = failure(IncompatibleStreamException.class, r, 25);
    assertEquals(IncompatibleStreamException.Reason.CODEC, e.reason());
    assertEquals("protobuf", e.writerValue());
    assertEquals("reader", e.readerValue());
    assertEquals(3, r.records.size(), "the first session was read whole");
  }

  // ---------------------------------------------------------------- frame checks, in order

  @Test
  void aFrameWithoutAnOpenWriterIsCorruptOnItsFirstFourBytes() {
    CorruptFrameException e = corrupt(decode(Wire.stream().raw(0, 0, 0, 2).bytes()), CorruptFrameException.Reason.NO_WRITER, 0);
    assertEquals(2, e.value());
    corrupt(decode(Wire.stream().preamble(1, "bytes").end().message("late").bytes()), CorruptFrameException.Reason.AFTER_END, 17);
  }

  @Test
  void topBitAndTooLongAreFoundOnTheLengthAlone() {
    byte[] preamble = Wire.stream().preamble(1, "bytes").bytes();
    corrupt(decode(Wire.stream().raw(preamble).raw(0x80, 0, 0, 0).bytes()), CorruptFrameException.Reason.TOP_BIT_LENGTH, 11);
    FrameTooLongException t = failure(FrameTooLongException.class,
        decode(Wire.stream().raw(preamble).raw(0x00, 0x20, 0, 1).bytes(), 3, 4096, MAX, null), 11);
    assertEquals(0x200001, t.length());
    assertEquals(MAX, t.limit());
  }

  @Test
  void flagsAndTagLengthAreReadTogetherSoAMissingSixthByteIsTruncation() {
    byte[] s = Wire.stream().preamble(1, "bytes").raw(0, 0, 0, 0, 0xFF).bytes(); // reserved flags, no tag-len byte
    TruncatedStreamException e = failure(TruncatedStreamException.class, decode(s), 11);
    assertEquals(TruncatedStreamException.Reason.IN_RECORD, e.reason());
  }

  @Test
  void reservedFlagBitsAreCorrupt() {
    CorruptFrameException e = corrupt(decode(Wire.stream().preamble(2, "bytes").frame(0x20, new byte[0], null, utf8("x")).bytes()),
        CorruptFrameException.Reason.RESERVED_FLAGS, 11);
    assertEquals(0x20, e.value());
  }

  @ParameterizedTest
  @ValueSource(ints = {HEADERS, HEARTBEAT, EOS | ABORTED})
  void oneOneFlagsAreReservedUntilAVersionTwoPreambleWasRead(int flags) {
    byte[] payload = (flags & HEADERS) != 0 ? utf8("x") : new byte[0];
    byte[] block = (flags & HEADERS) != 0 ? headerBlock("k", "v") : null;
    corrupt(decode(Wire.stream().preamble(1, "bytes").frame(flags, new byte[0], block, payload).bytes()),
        CorruptFrameException.Reason.RESERVED_FLAGS, 11);
    // after a version-2 preamble on this session (fan-in: even from another writer) they are records
    Wire w = Wire.stream().preamble(2, "bytes").preamble(1, "bytes").frame(flags, new byte[0], block, payload).end();
    Result r = decode((flags & EOS) != 0 ? w.bytes() : w.end().bytes());
    assertNull(r.failure, () -> String.valueOf(r.failure));
    assertEquals((flags & EOS) != 0 ? 5 : 6, r.records.size(), r.records.toString());
  }

  @ParameterizedTest
  @ValueSource(ints = {ABORTED, HEADERS | EOS, HEARTBEAT | EOS, HEARTBEAT | HEADERS, ABORTED | HEADERS, EOS | ABORTED | HEARTBEAT})
  void combinationsThatAreNoRecordKindAreCorrupt(int flags) {
    CorruptFrameException e = corrupt(decode(Wire.stream().preamble(2, "bytes").raw(0, 0, 0, 0, flags, 0).bytes()),
        CorruptFrameException.Reason.BAD_COMBINATION, 11);
    assertEquals(flags, e.value());
  }

  @Test
  void lengthsAControlRecordForbidsAreCorruptBeforeItsTagIsRead() {
    // an end of stream announcing a tag, cut right after its header: corrupt, not truncated
    corrupt(decode(Wire.stream().preamble(1, "bytes").raw(0, 0, 0, 0, EOS, 3).bytes()), CorruptFrameException.Reason.BAD_RECORD_LENGTH, 11);
    corrupt(decode(Wire.stream().preamble(1, "bytes").raw(0, 0, 0, 2, EOS, 0).bytes()), CorruptFrameException.Reason.BAD_RECORD_LENGTH, 11);
    corrupt(decode(Wire.stream().preamble(2, "bytes").raw(0, 0, 0, 1, HEARTBEAT, 0).bytes()), CorruptFrameException.Reason.BAD_RECORD_LENGTH, 11);
    corrupt(decode(Wire.stream().preamble(2, "bytes").raw(0, 0, 4, 1, EOS | ABORTED, 0).bytes()), CorruptFrameException.Reason.BAD_RECORD_LENGTH, 11);
    corrupt(decode(Wire.stream().preamble(2, "bytes").raw(0, 0, 0, 1, EOS | ABORTED, 1).bytes()), CorruptFrameException.Reason.BAD_RECORD_LENGTH, 11);
    // the longest reason is fine
    Result r = decode(Wire.stream().preamble(2, "bytes").aborted("r".repeat(1024)).bytes());
    assertNull(r.failure);
  }

  @Test
  void headersLengthIsCheckedBeforeTheBlockIsRead() {
    CorruptFrameException e = corrupt(decode(Wire.stream().preamble(2, "bytes").raw(0, 0, 0, 0, HEADERS, 0, 0x20, 0x01).bytes()),
        CorruptFrameException.Reason.HEADERS_TOO_LONG, 11);
    assertEquals(8193, e.value());
  }

  @Test
  void checksumMismatchIsAStreamFailureFoundBeforeTheContents() {
    byte[] s = Wire.stream().preamble(2, "bytes").frame(HEADERS | CRC, new byte[] {(byte) 0xFF}, new byte[0], utf8("p")).bytes();
    s[s.length - 1] ^= 1;
    ChecksumMismatchException e = failure(ChecksumMismatchException.class, decode(s), 11);
    assertEquals(CorruptFrameException.Reason.CHECKSUM, e.reason());
    assertTrue(e.expected() != e.actual());
  }

  // ---------------------------------------------------------------- contents: per message

  @Test
  void aTagThatIsNotUtf8FailsThatMessageOnly() {
    byte[] s = Wire.stream().preamble(2, "bytes").frame(0, new byte[] {'a', (byte) 0xC3}, null, utf8("p"))
        .message("next").end().bytes();
    Result r = decode(s);
    assertNull(r.failure);
    assertEquals(List.of("start bytes v1.1 @0", "malformed BAD_TAG @11", "frame '' next @20", "end @30", "END @36"), r.records);
    MalformedFrameException m = r.malformed.get(0);
    assertEquals(MalformedFrameException.Reason.BAD_TAG, m.reason());
    assertEquals(11, m.position());
    assertArrayEquals(utf8("p"), m.payload());
    assertEquals("a\uFFFD", m.tag());
  }

  @Test
  void theTagIsCheckedBeforeTheHeaders() {
    byte[] s = Wire.stream().preamble(2, "bytes").frame(HEADERS, new byte[] {(byte) 0xFF}, new byte[0], utf8("p")).end().bytes();
    assertEquals(MalformedFrameException.Reason.BAD_TAG, decode(s).malformed.get(0).reason());
  }

  @Test
  void everyHeaderRuleFailsThatMessageOnly() {
    byte[] tooMany = new byte[0];
    for (int i = 0; i < 65; i++) {
      tooMany = concat(tooMany, headerBlock("k" + i, ""));
    }
    Object[][] cases = {
        {new byte[0], HeaderFault.EMPTY_BLOCK},
        {headerBlock("Bad", "v"), HeaderFault.KEY_BYTE},
        {headerBlock("a", "1", "a", "2"), HeaderFault.DUPLICATE_KEY},
        {new byte[] {0, 0, 0}, HeaderFault.KEY_LENGTH},
        {concat(new byte[] {65}, new byte[65 + 2]), HeaderFault.KEY_LENGTH},
        {new byte[] {1, 'k', 0}, HeaderFault.ENTRY_PAST_BLOCK},
        {new byte[] {1, 'k', 0, 5, 'x'}, HeaderFault.ENTRY_PAST_BLOCK},
        {concat(new byte[] {1, 'k', 0x10, 0x01}, new byte[4097]), HeaderFault.VALUE_LENGTH},
        {tooMany, HeaderFault.TOO_MANY_ENTRIES},
    };
    for (Object[] c : cases) {
      byte[] block = (byte[]) c[0];
      byte[] s = Wire.stream().preamble(2, "bytes").frame(HEADERS | CRC, utf8("t"), block, utf8("p")).message("after").end().bytes();
      Result r = decode(s);
      assertNull(r.failure, () -> c[1] + ": " + r.failure);
      assertEquals(1, r.malformed.size(), c[1] + ": " + r.records);
      MalformedFrameException m = r.malformed.get(0);
      assertEquals(MalformedFrameException.Reason.BAD_HEADERS, m.reason());
      assertEquals(c[1], m.headerFault());
      assertEquals("t", m.tag());
      assertTrue(r.records.get(2).startsWith("frame '' after"), c[1] + ": the next frame is intact: " + r.records);
    }
    // 64 entries and a full 4096-byte value are fine
    byte[] sixtyFour = new byte[0];
    for (int i = 0; i < 64; i++) {
      sixtyFour = concat(sixtyFour, headerBlock("k" + i, ""));
    }
    assertTrue(decode(Wire.stream().preamble(2, "bytes").frame(HEADERS, new byte[0], sixtyFour, utf8("p")).end().bytes()).malformed.isEmpty());
    byte[] big = concat(new byte[] {1, 'k', 0x10, 0x00}, new byte[4096]);
    assertTrue(decode(Wire.stream().preamble(2, "bytes").frame(HEADERS, new byte[0], big, utf8("p")).end().bytes()).malformed.isEmpty());
  }

  // ---------------------------------------------------------------- how a stream ends

  @Test
  void truncationSaysWhereAndWhy() {
    TruncatedStreamException e = failure(TruncatedStreamException.class, decode(new byte[0]), 0);
    assertEquals(TruncatedStreamException.Reason.NOTHING_WRITTEN, e.reason());
    byte[] s = Wire.stream().preamble(1, "bytes").message("whole").bytes();
    e = failure(TruncatedStreamException.class, decode(s), s.length);
    assertEquals(TruncatedStreamException.Reason.NO_END_OF_STREAM, e.reason());
    assertEquals(1, e.openWriters());
    byte[] cut = Arrays.copyOf(s, s.length - 1);
    e = failure(TruncatedStreamException.class, decode(cut), 11);
    assertEquals(TruncatedStreamException.Reason.IN_RECORD, e.reason());
  }

  @Test
  void aRecordLargerThanTheInputBufferIsAssembledAndChecked() {
    byte[] payload = new byte[70_000];
    new Random(1).nextBytes(payload);
    byte[] s = Wire.stream().preamble(2, "bytes").frame(HEADERS | CRC, utf8("big"), headerBlock("k", "v"), payload).message("small").end().bytes();
    for (int chunk : new int[] {1000, 4096, 65_536, Integer.MAX_VALUE}) {
      Result r = decode(s, chunk, 4096, MAX, null);
      assertNull(r.failure, () -> String.valueOf(r.failure));
      assertArrayEquals(payload, r.payloads.get(0));
      assertArrayEquals(utf8("small"), r.payloads.get(1));
      assertEquals(s.length, r.endPosition);
    }
    byte[] bad = s.clone();
    bad[11 + 6 + 3 + 2 + 6 + 500] ^= 1; // a payload byte of the large frame
    failure(ChecksumMismatchException.class, decode(bad, 3000, 4096, MAX, null), 11);
    byte[] cut = Arrays.copyOf(s, 11 + 40_000);
    failure(TruncatedStreamException.class, decode(cut, 3000, 4096, MAX, null), 11);
  }

  @Test
  void endOfInputReturnsALastCompleteRecordFirst() {
    byte[] s = Wire.stream().preamble(1, "bytes").end().bytes();
    FrameDecoder d = new FrameDecoder(MAX, null, "bytes");
    ByteBuffer in = ByteBuffer.wrap(s);
    assertEquals(Kind.SESSION_START, assertDoesNotThrow(() -> d.endOfInput(in)).kind());
    assertEquals(Kind.SESSION_END, assertDoesNotThrow(() -> d.endOfInput(in)).kind());
    assertEquals(Kind.END, assertDoesNotThrow(() -> d.endOfInput(in)).kind());
    assertEquals(Kind.END, assertDoesNotThrow(() -> d.decode(in)).kind(), "the end is sticky");
  }

  private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
    return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
