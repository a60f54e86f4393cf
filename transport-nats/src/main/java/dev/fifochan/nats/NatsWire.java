package dev.fifochan.nats;

import dev.fifochan.MessageTooLongException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The mapping of fifochan records to NATS messages ({@code docs/nats.md} §2): header names and the
 * encoding of header values. Shared by the sink, the source, the bridge and the request/response
 * handshake; the Go module ({@code go/nats}) implements the same rules.
 */
final class NatsWire {
  private NatsWire() {}

  /** A control record's kind: {@code start}, {@code end}, {@code abort}, {@code hb}; absent on frames. */
  static final String REC = "fc-rec";
  /** The writer session's id (every message). */
  static final String SESSION = "fc-session";
  /** Frames: the frame's number in its session, from 1; end, abort and heartbeat: the last frame's number. */
  static final String SEQ = "fc-seq";
  /** Frames: the type tag (absent when empty), encoded as a header value. */
  static final String TAG = "fc-tag";
  /** Start: the writer's codec name. */
  static final String CODEC = "fc-codec";
  /** Start: the wire version, {@code 1.1} (or {@code 1.0}: no headers, no heartbeats, no aborted ends). */
  static final String VERSION = "fc-ver";
  /** Request/response connect: the subject the peer publishes its half of the connection to. */
  static final String INBOX = "fc-inbox";
  /** JetStream's message id header (publish dedup within the stream's duplicate window). */
  static final String MSG_ID = "Nats-Msg-Id";

  static final String REC_START = "start";
  static final String REC_END = "end";
  static final String REC_ABORT = "abort";
  static final String REC_HEARTBEAT = "hb";
  static final String REC_CONNECT = "connect";

  /** Values sent as-is: printable ASCII, no leading or trailing space, not starting with this prefix. */
  static final String B64 = "b64:";

  /**
   * The header keys a frame's NATS message uses for the mapping, which a frame cannot carry as user
   * headers ({@code fc-codec}, {@code fc-ver} and {@code fc-inbox} appear on control records only, so
   * frames may carry them: request/response's hello does).
   */
  static boolean isMappingKey(String key) {
    return key.equals(REC) || key.equals(SESSION) || key.equals(SEQ) || key.equals(TAG);
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A new session id: 96 random bits as 24 lowercase hex digits. */
  static String newSessionId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    char[] c = new char[24];
    for (int i = 0; i < b.length; i++) {
      c[2 * i] = HEX[(b[i] >> 4) & 0xF];
      c[2 * i + 1] = HEX[b[i] & 0xF];
    }
    return new String(c);
  }

  /** Whether {@code s} goes as a header value unchanged. */
  static boolean isPlain(String s) {
    int n = s.length();
    if (n == 0) {
      return true;
    }
    if (s.charAt(0) == ' ' || s.charAt(n - 1) == ' ' || s.startsWith(B64)) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes {@code v} go as a header value unchanged (as ASCII). */
  static boolean isPlain(byte[] v) {
    int n = v.length;
    if (n == 0) {
      return true;
    }
    if (v[0] == ' ' || v[n - 1] == ' ') {
      return false;
    }
    if (n >= 4 && v[0] == 'b' && v[1] == '6' && v[2] == '4' && v[3] == ':') {
      return false;
    }
    for (byte b : v) {
      if (b < 0x20 || b > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** The NATS header value carrying the bytes {@code v}. */
  static String encodeValue(byte[] v) {
    return isPlain(v) ? new String(v, StandardCharsets.ISO_8859_1) : B64 + Base64.getEncoder().encodeToString(v);
  }

  /** The NATS header value carrying the text {@code s} (UTF-8 when encoded). */
  static String encodeText(String s) {
    return isPlain(s) ? s : B64 + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The bytes a NATS header value carries.
   *
   * @throws IllegalArgumentException if it starts with {@code b64:} and the rest is not base64
   */
  static byte[] decodeValue(String v) {
    if (v.startsWith(B64)) {
      return Base64.getDecoder().decode(v.substring(B64.length()));
    }
    return v.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A header value that starts with {@code b64:} but cannot be decoded. */
  static final class BadValueException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String shown;

    BadValueException(String shown, String why) {
      super(why, null, false, false);
      this.shown = shown;
    }

    /** The value for messages: as it arrived, or decoded with replacement characters. */
    String shown() {
      return shown;
    }
  }

  /**
   * The bytes a NATS header value carries.
   *
   * @throws BadValueException if it starts with {@code b64:} and the rest is not standard base64
   */
  static byte[] decodeValueChecked(String v) throws BadValueException {
    try {
      return decodeValue(v);
    } catch (IllegalArgumentException e) {
      throw new BadValueException(v, "not base64 after b64:");
    }
  }

  /**
   * A frame's type tag from its {@code fc-tag} value: as-is, or the UTF-8 text a {@code b64:} value carries.
   *
   * @throws BadValueException if the value cannot be decoded: not base64 after {@code b64:} (shown as it
   *     arrived), or not valid UTF-8 (shown with replacement characters)
   */
  static String decodeTag(String v) throws BadValueException {
    if (!v.startsWith(B64)) {
      return v;
    }
    byte[] b = decodeValueChecked(v);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new BadValueException(new String(b, StandardCharsets.UTF_8), "not UTF-8");
    }
  }

  /** The first value of {@code key}, or null. */
  static String first(io.nats.client.impl.Headers h, String key) {
    if (h == null) {
      return null;
    }
    try {
      return h.getFirst(key); // no read-only list wrapper per call, as get() makes
    } catch (IndexOutOfBoundsException e) {
      return null; // a key without values (jnats does not make one; a subclass might)
    }
  }

  /** The decimal u64 value of {@code key}, or -1 if absent or not a number. */
  static long number(io.nats.client.impl.Headers h, String key) {
    return number(first(h, key));
  }

  /** The decimal u64 value {@code v}, or -1 if null or not a number. */
  static long number(String v) {
    if (v == null || v.isEmpty() || v.length() > 19) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /**
   * Throws the transport's "too long" error unless {@code size} fits {@code maxPayload}; it names both
   * limits ({@code frameLimit}: the channel's {@code maxFrameLength}).
   */
  static void checkTransportLimit(long size, long maxPayload, long frameLimit) throws MessageTooLongException {
    if (maxPayload > 0 && size > maxPayload) {
      throw new MessageTooLongException(size, maxPayload, MessageTooLongException.Limit.TRANSPORT, frameLimit);
    }
  }
}
