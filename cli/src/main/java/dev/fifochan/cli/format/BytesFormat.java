package dev.fifochan.cli.format;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The {@code bytes} codec with a {@link BytesFraming}: {@code whole} sends all of stdin as one
 * message (and writes received payloads back to back), {@code u32} reads and writes
 * length-prefixed records (4-byte big-endian length, then the bytes).
 */
public final class BytesFormat implements MessageFormat<byte[]> {
  private final BytesFraming framing;
  private final int maxLength;

  /** Bytes framed as {@code framing}; input records longer than {@code maxLength} are refused. */
  public BytesFormat(BytesFraming framing, int maxLength) {
    this.framing = framing;
    this.maxLength = maxLength;
  }

  @Override
  public Codec<byte[]> codec() {
    @SuppressWarnings("unchecked") // the built-in codec of that name, found as users find codecs
    Codec<byte[]> c = (Codec<byte[]>) Codecs.byName("bytes", null);
    return c;
  }

  @Override
  public MessageInput<byte[]> input(InputStream in) {
    return framing == BytesFraming.whole ? whole(in) : u32(new BufferedInputStream(in, 1 << 16));
  }

  private MessageInput<byte[]> whole(InputStream in) {
    boolean[] done = {false};
    return () -> {
      if (done[0]) {
        return null;
      }
      done[0] = true;
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] chunk = new byte[1 << 16];
      // Read in a loop: InputStream.readAllBytes on a FIFO fails on JDK 17 ("Illegal seek").
      for (int n; (n = in.read(chunk)) >= 0; ) {
        all.write(chunk, 0, n);
        if (all.size() > maxLength) {
          throw new CliException(ExitCode.BAD_MESSAGE, "stdin: more than the maximum frame length of "
              + maxLength + " bytes (see --max-frame-length)");
        }
      }
      return all.toByteArray();
    };
  }

  private MessageInput<byte[]> u32(InputStream in) {
    long[] offset = {0};
    return () -> {
      byte[] head = new byte[4];
      int got = in.readNBytes(head, 0, 4);
      if (got == 0) {
        return null;
      }
      if (got < 4) {
        throw truncated(offset[0], "length");
      }
      long length = ((head[0] & 0xFFL) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
      if (length > maxLength) {
        throw new CliException(ExitCode.BAD_MESSAGE, "stdin byte " + offset[0] + ": record of " + length
            + " bytes exceeds the maximum frame length of " + maxLength + " (see --max-frame-length)");
      }
      byte[] body = new byte[(int) length];
      if (in.readNBytes(body, 0, body.length) < body.length) {
        throw truncated(offset[0], length + "-byte record");
      }
      offset[0] += 4 + length;
      return body;
    };
  }

  private static CliException truncated(long offset, String what) {
    return new CliException(ExitCode.BAD_MESSAGE, "stdin byte " + offset + ": input ends inside a u32 " + what);
  }

  @Override
  public MessageOutput<byte[]> output(OutputStream out) {
    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    return new MessageOutput<>() {
      @Override
      public void write(byte[] message) throws IOException {
        if (framing == BytesFraming.u32) {
          int n = message.length;
          buffered.write(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        }
        buffered.write(message);
      }

      @Override
      public void flush() throws IOException {
        buffered.flush();
      }
    };
  }

  @Override
  public Class<byte[]> type() {
    return byte[].class;
  }
}
