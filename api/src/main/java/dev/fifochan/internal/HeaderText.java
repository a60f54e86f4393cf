package dev.fifochan.internal;

import dev.fifochan.Headers;
import java.nio.charset.StandardCharsets;

/** A readable rendering of headers for {@code toString()}: printable ASCII values as text, others as hex. */
final class HeaderText {
  private HeaderText() {}

  static String describe(Headers h) {
    StringBuilder s = new StringBuilder("{");
    h.forEach((k, v) -> {
      if (s.length() > 1) {
        s.append(", ");
      }
      s.append(k).append('=');
      boolean text = true;
      for (byte b : v) {
        text &= b >= 0x20 && b < 0x7F;
      }
      if (text) {
        s.append(new String(v, StandardCharsets.US_ASCII));
      } else {
        s.append("0x").append(java.util.HexFormat.of().formatHex(v));
      }
    });
    return s.append('}').toString();
  }
}
