package dev.fifochan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fuzz target for the frame decoder: any input must decode to records that re-encode to exactly
 * the bytes consumed, or end in a documented {@link StreamException}; nothing else may escape, and
 * nothing may be allocated from an unchecked length. Used by {@code FrameReaderFuzzTest} (mutation
 * fuzzing in every build) and by Jazzer for coverage-guided runs ({@code fuzzerTestOneInput}).
 */
public final class FrameReaderFuzz {
  private static final ByteBuffer READ_BUFFER = Buffers.pageAlignedDirect(4096);
  private static final int[] MAX_LENGTHS = {0, 1, 16, 1000, 4096, 70_000, 1 << 20};

  private FrameReaderFuzz() {}

  /** Jazzer entry point. */
  public static void fuzzerTestOneInput(byte[] data) {
    try {
      check(data);
    } catch (IOException e) {
      throw new AssertionError("undocumented I/O failure", e);
    }
  }

  /**
   * Decodes {@code data} (its first byte picks the read size and frame limit; the rest is the
   * stream) and checks every invariant.
   *
   * @return what ended the stream: {@code "end"} or the exception's simple class name
   */
  public static String check(byte[] data) throws IOException {
    if (data.length == 0) {
      return "empty";
    }
    int control = data[0] & 0xFF;
    int chunk = 1 + (control & 0x0F) * 97;
    int max = MAX_LENGTHS[(control >>> 4) % MAX_LENGTHS.length];
    byte[] stream = Arrays.copyOfRange(data, 1, data.length);
    FrameReader reader = new FrameReader(TestChannels.chunked(stream, chunk), max, READ_BUFFER, null);
    TestChannels.Sink again = new TestChannels.Sink(Integer.MAX_VALUE);
    FrameWriter writer = new FrameWriter(again, ChannelConfig.builder().maxFrameLength(max).bufferSize(4096).build());
    long expectedOffset = 0;
    int writers = 0;
    boolean exact = true; // false once a tag is not valid UTF-8 (decoded with replacement characters)
    try {
      while (true) {
        WireRecord r = reader.next();
        if (r == null) {
          throw new AssertionError("a blocking read returned no record");
        }
        if (r.offset() != expectedOffset) {
          throw new AssertionError("record at " + r.offset() + ", expected " + expectedOffset);
        }
        switch (r.kind()) {
          case END:
            if (r.offset() != stream.length || writers != 0) {
              throw new AssertionError("clean end at " + r.offset() + " of " + stream.length + " with " + writers + " writers open");
            }
            if (exact && !Arrays.equals(stream, again.toByteArray())) {
              throw new AssertionError("decoded records do not re-encode to the input");
            }
            return "end";
          case PREAMBLE:
            writers++;
            writer.writePreamble(r.codecName());
            break;
          case FRAME: {
            if (r.length() > max || r.payload().remaining() != r.length()) {
              throw new AssertionError("payload of " + r.payload().remaining() + " bytes, limit " + max);
            }
            exact &= r.tag().indexOf('\uFFFD') < 0;
            byte[] payload = new byte[r.length()];
            r.payload().duplicate().get(payload);
            if (exact) {
              writer.checksum(r.hasChecksum());
              writer.beginFrame(r.tag().getBytes(StandardCharsets.UTF_8)).write(payload);
              if (!writer.endFrame(-1)) {
                throw new AssertionError("in-memory write timed out");
              }
            }
            break;
          }
          case END_OF_STREAM:
            writers--;
            writer.checksum(r.hasChecksum());
            writer.writeEndOfStream();
            break;
          default:
            throw new AssertionError("unknown kind " + r.kind());
        }
        expectedOffset += r.wireLength();
        writer.drain(-1);
      }
    } catch (StreamException e) {
      if (e.offset() < 0 || e.offset() > stream.length) {
        throw new AssertionError("error offset " + e.offset() + " outside the stream of " + stream.length, e);
      }
      if (e.offset() != expectedOffset) {
        throw new AssertionError("error offset " + e.offset() + " is not the failing record's (" + expectedOffset + ")", e);
      }
      return e.getClass().getSimpleName();
    }
  }
}
