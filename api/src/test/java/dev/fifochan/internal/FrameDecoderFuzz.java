package dev.fifochan.internal;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.StreamException;
import dev.fifochan.TestChannels;
import dev.fifochan.spi.InboundRecord.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The fuzz target for the frame decoder and its read loop: any input must decode to records that
 * re-encode to exactly the bytes consumed, or end in a documented {@link StreamException} at the
 * failing record's first byte; nothing else may escape, nothing may be allocated from an unchecked
 * length, and a malformed frame (bad tag or headers) must leave the next record intact. Used by
 * {@code FrameDecoderFuzzTest} (mutation fuzzing in every build) and by Jazzer for coverage-guided
 * runs ({@code fuzzerTestOneInput}; {@code tools/fuzz-frame-reader.sh}).
 */
public final class FrameDecoderFuzz {
  private static final ByteBuffer READ_BUFFER = Buffers.pageAlignedDirect(4096);
  private static final int[] MAX_LENGTHS = {0, 1, 16, 1000, 4096, 70_000, 1 << 20};

  private FrameDecoderFuzz() {}

  /** Jazzer entry point. */
  public static void fuzzerTestOneInput(byte[] data) {
    try {
      check(data);
    } catch (IOException e) {
      throw new AssertionError("undocumented I/O failure", e);
    }
  }

  /**
   * Decodes {@code data} (its first byte picks the read size and frame limit; the rest is the stream)
   * and checks every invariant.
   *
   * @return what ended the stream: {@code "end"}, {@code "aborted"}, or the exception's simple class
   *     name; prefixed with {@code "malformed+"} if a malformed frame was met on the way
   */
  public static String check(byte[] data) throws IOException {
    if (data.length == 0) {
      return "empty";
    }
    int control = data[0] & 0xFF;
    int chunk = 1 + (control & 0x0F) * 97;
    int max = MAX_LENGTHS[(control >>> 4) % MAX_LENGTHS.length];
    byte[] stream = Arrays.copyOfRange(data, 1, data.length);
    ChannelConfig config = ChannelConfig.builder().maxFrameLength(max).build();
    ByteStreamSource source = new ByteStreamSource(TestChannels.chunked(stream, chunk), config, null, "bytes", "fuzz",
        READ_BUFFER);
    ByteBuffer again = ByteBuffer.allocate(stream.length + 64);
    FrameEncoder encoder = new FrameEncoder();
    long expectedPosition = 0;
    int writers = 0;
    boolean malformed = false;
    try {
      while (true) {
        DecodedRecord r = source.nextRecord(Deadline.none());
        if (r == null) {
          throw new AssertionError("a blocking read returned no record");
        }
        if (r.position() != expectedPosition) {
          throw new AssertionError(r.kind() + " at " + r.position() + ", expected " + expectedPosition);
        }
        if (r.kind() == Kind.END) {
          if (r.position() != stream.length || writers != 0 || source.openSessions() != 0) {
            throw new AssertionError("clean end at " + r.position() + " of " + stream.length + " with " + writers + " writers open");
          }
          byte[] reencoded = Arrays.copyOf(again.array(), again.position());
          if (!Arrays.equals(stream, reencoded)) {
            throw new AssertionError("decoded records do not re-encode to the input");
          }
          String end = r.abortReason() != null ? "aborted" : "end";
          return malformed ? "malformed+" + end : end;
        }
        int flags = r.flags();
        boolean crc = (flags & FrameDescriptor.FLAG_CHECKSUM) != 0;
        switch (r.kind()) {
          case SESSION_START:
            writers++;
            encoder.putPreamble(again, r.wireVersion().versionByte(), r.codecName().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            break;
          case FRAME: {
            if (r.payload().remaining() > max) {
              throw new AssertionError("payload of " + r.payload().remaining() + " bytes, limit " + max);
            }
            malformed |= r.malformation() != null;
            if (r.malformation() != null && r.malformation().position() != r.position()) {
              throw new AssertionError("malformed frame reported at " + r.malformation().position() + ", not " + r.position());
            }
            byte[] payload = new byte[r.payload().remaining()];
            r.payload().duplicate().get(payload);
            int start = encoder.beginFrame(again, crc, r.rawTag(), r.rawHeaderBlock());
            again.put(payload);
            encoder.endFrame(again, start, payload.length);
            break;
          }
          case SESSION_END: {
            writers--;
            byte[] payload = new byte[r.payload().remaining()];
            r.payload().duplicate().get(payload);
            encoder.putControl(again, flags & ~FrameDescriptor.FLAG_CHECKSUM, crc, payload, payload.length);
            break;
          }
          case HEARTBEAT:
            encoder.putControl(again, FrameDescriptor.FLAG_HEARTBEAT, crc, new byte[0], 0);
            break;
          default:
            throw new AssertionError("unknown kind " + r.kind());
        }
        expectedPosition += r.wireLength();
        if (again.position() != expectedPosition) {
          throw new AssertionError("re-encoded " + again.position() + " bytes for " + expectedPosition + " read");
        }
      }
    } catch (StreamException e) {
      if (e.position() != expectedPosition) {
        throw new AssertionError("error position " + e.position() + " is not the failing record's (" + expectedPosition + ")", e);
      }
      String name = e.getClass().getSimpleName();
      return malformed ? "malformed+" + name : name;
    }
  }
}
