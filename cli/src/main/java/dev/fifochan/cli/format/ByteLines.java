package dev.fifochan.cli.format;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it, so that bytes pass through unchanged. A
 * line ends at {@code \n}; a {@code \r} before it is dropped too; a last line without a newline
 * counts.
 */
public final class ByteLines {
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private boolean eof;
  private long lineNumber;

  /** Lines of {@code in}. */
  public ByteLines(InputStream in) {
    this.in = in;
  }

  /** The next line without its terminator, or {@code null} at the end. */
  public byte[] next() throws IOException {
    byte[] partial = null;
    int partialLength = 0;
    while (true) {
      if (pos == limit) {
        if (eof || !fill()) {
          if (partial == null) {
            return null;
          }
          lineNumber++;
          return trimCr(partial, partialLength);
        }
      }
      int nl = indexOf(buf, pos, limit);
      int end = nl < 0 ? limit : nl;
      int n = end - pos;
      if (partial == null && nl >= 0) {
        byte[] line = Arrays.copyOfRange(buf, pos, end);
        pos = nl + 1;
        lineNumber++;
        return trimCr(line, line.length);
      }
      if (partial == null) {
        partial = new byte[Math.max(256, n * 2)];
      } else if (partialLength + n > partial.length) {
        partial = Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + n));
      }
      System.arraycopy(buf, pos, partial, partialLength, n);
      partialLength += n;
      pos = end;
      if (nl >= 0) {
        pos = nl + 1;
        lineNumber++;
        return trimCr(partial, partialLength);
      }
    }
  }

  /** The number of the line {@link #next()} returned last, from 1. */
  public long lineNumber() {
    return lineNumber;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  private static int indexOf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static byte[] trimCr(byte[] line, int length) {
    int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
    return n == line.length ? line : Arrays.copyOf(line, n);
  }
}
