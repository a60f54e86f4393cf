package dev.fifochan.internal;

/**
 * UTF-8 decoding with the wire format's replacement rule for aborted reasons
 * ({@code docs/wire-format.md} §4.3): each maximal run of bytes that are not part of a well-formed
 * sequence becomes one U+FFFD (as Go's {@code strings.ToValidUTF8(s, "\uFFFD")}; Java's built-in
 * replacement differs).
 */
public final class Utf8 {
  private Utf8() {}

  /** Decodes {@code len} bytes of {@code b} from {@code off}, replacing each run of invalid bytes by one U+FFFD. */
  public static String decodeReplacingRuns(byte[] b, int off, int len) {
    StringBuilder s = new StringBuilder(len);
    int i = off;
    int end = off + len;
    boolean inBadRun = false;
    while (i < end) {
      int n = sequenceLength(b, i, end);
      if (n == 0) {
        if (!inBadRun) {
          s.append('\uFFFD');
          inBadRun = true;
        }
        i++;
        continue;
      }
      inBadRun = false;
      int lead = b[i] & 0xFF;
      int cp;
      switch (n) {
        case 1:
          cp = lead;
          break;
        case 2:
          cp = ((lead & 0x1F) << 6) | (b[i + 1] & 0x3F);
          break;
        case 3:
          cp = ((lead & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
          break;
        default:
          cp = ((lead & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
      }
      s.appendCodePoint(cp);
      i += n;
    }
    return s.toString();
  }

  /** The length of the well-formed sequence at {@code i} (Unicode table 3-7), or 0 if there is none. */
  static int sequenceLength(byte[] b, int i, int end) {
    int lead = b[i] & 0xFF;
    if (lead < 0x80) {
      return 1;
    }
    int lo = 0x80;
    int hi = 0xBF;
    int n;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 3;
      if (lead == 0xE0) {
        lo = 0xA0;
      } else if (lead == 0xED) {
        hi = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 4;
      if (lead == 0xF0) {
        lo = 0x90;
      } else if (lead == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return 0;
    }
    if (i + n > end) {
      return 0;
    }
    int second = b[i + 1] & 0xFF;
    if (second < lo || second > hi) {
      return 0;
    }
    for (int k = 2; k < n; k++) {
      int c = b[i + k] & 0xFF;
      if (c < 0x80 || c > 0xBF) {
        return 0;
      }
    }
    return n;
  }
}
