package dev.fifochan.rpc.internal;

import dev.fifochan.Headers;
import java.nio.charset.StandardCharsets;

/** The header keys, frame kinds and value formats of {@code docs/rpc.md}, in one place. */
public final class Protocol {
  private Protocol() {}

  /** The protocol version this implementation speaks ({@code fc-version}). */
  public static final String VERSION = "1";

  public static final String ID = "fc-id";
  public static final String KIND = "fc-kind";
  public static final String OP = "fc-op";
  public static final String TIMEOUT = "fc-timeout";
  public static final String STATUS = "fc-status";
  public static final String MESSAGE = "fc-message";
  public static final String STREAM = "fc-stream";
  public static final String FIELD = "fc-field";
  public static final String HELLO_VERSION = "fc-version";
  public static final String HELLO_ROLE = "fc-role";
  public static final String HELLO_SERVICE = "fc-service";
  public static final String HELLO_CODEC = "fc-codec";
  public static final String HELLO_HEARTBEAT = "fc-heartbeat";
  public static final String HELLO_AGENT = "fc-agent";

  public static final String ROLE_CLIENT = "client";
  public static final String ROLE_RESPONDER = "responder";

  /** The frame kinds ({@code fc-kind}). */
  public enum Kind {
    HELLO("hello"), CALL("call"), REPLY("reply"), ERROR("error"), CANCEL("cancel"), NOTIFY("notify"),
    ITEM("item"), DONE("done");

    private final String wire;
    private final byte[] bytes;

    Kind(String wire) {
      this.wire = wire;
      this.bytes = wire.getBytes(StandardCharsets.US_ASCII);
    }

    /** The value of {@code fc-kind}. */
    public String wire() {
      return wire;
    }

    /** The kind named by {@code value} (bytes of {@code fc-kind}); null for an unknown or missing one. */
    public static Kind of(byte[] value) {
      if (value == null) {
        return null;
      }
      for (Kind k : values()) {
        if (java.util.Arrays.equals(k.bytes, value)) {
          return k;
        }
      }
      return null;
    }
  }

  /** The largest {@code fc-message}, in UTF-8 bytes (a header value's limit). */
  public static final int MAX_MESSAGE_BYTES = 4096;

  /**
   * A non-negative decimal without sign or leading zeros (but "0"), at most 20 digits, as an unsigned
   * 64-bit value; -1 if {@code v} is not one (or null). Values above 2^63-1 come back negative other
   * than -1 only for ids; callers that need signed values check {@code >= 0}.
   */
  public static long parseUnsigned(byte[] v) {
    if (v == null || v.length == 0 || v.length > 20 || (v.length > 1 && v[0] == '0')) {
      return -1;
    }
    for (byte b : v) {
      if (b < '0' || b > '9') {
        return -1;
      }
    }
    try {
      return Long.parseUnsignedLong(new String(v, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A non-negative decimal up to 2^63-1; -1 if {@code v} is not one. */
  public static long parseNonNegative(byte[] v) {
    long n = parseUnsigned(v);
    return n < 0 ? -1 : n;
  }

  /** The longest operation name, in UTF-8 bytes (as a type tag). */
  public static final int MAX_OPERATION_BYTES = 255;

  /**
   * Returns {@code operation} if it fits in {@code fc-op}.
   *
   * @throws IllegalArgumentException if longer than {@link #MAX_OPERATION_BYTES} UTF-8 bytes
   */
  public static String checkOperation(String operation) {
    if (operation.length() > MAX_OPERATION_BYTES / 3
        && operation.getBytes(StandardCharsets.UTF_8).length > MAX_OPERATION_BYTES) {
      throw new IllegalArgumentException("an operation name is at most " + MAX_OPERATION_BYTES + " UTF-8 bytes: '"
          + operation.substring(0, 40) + "...'");
    }
    return operation;
  }

  /** {@code text} cut to at most {@link #MAX_MESSAGE_BYTES} UTF-8 bytes at a character boundary. */
  public static String cutMessage(String text) {
    if (text == null) {
      return "";
    }
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (b.length <= MAX_MESSAGE_BYTES) {
      return text;
    }
    int end = MAX_MESSAGE_BYTES;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }

  /** One side's hello: the values it announces. */
  public static final class Hello {
    public final String version;
    public final String role;
    public final String service;
    public final String codec;
    /** The heartbeat interval in nanoseconds, as announced (null if absent or not a number). */
    public final Long heartbeatNanos;
    public final String heartbeatText;
    public final String agent;

    public Hello(String version, String role, String service, String codec, Long heartbeatNanos, String heartbeatText,
        String agent) {
      this.version = version;
      this.role = role;
      this.service = service;
      this.codec = codec;
      this.heartbeatNanos = heartbeatNanos;
      this.heartbeatText = heartbeatText;
      this.agent = agent;
    }

    /** This side's hello. */
    public static Hello local(String role, String service, String codec, long heartbeatNanos, String agent) {
      return new Hello(VERSION, role, service, codec, heartbeatNanos, Long.toString(heartbeatNanos), agent);
    }

    /** The headers of the hello frame. */
    public Headers toHeaders() {
      Headers.Builder b = Headers.builder()
          .put(KIND, Kind.HELLO.wire())
          .put(HELLO_VERSION, version)
          .put(HELLO_ROLE, role)
          .put(HELLO_SERVICE, service)
          .put(HELLO_CODEC, codec)
          .put(HELLO_HEARTBEAT, heartbeatText);
      if (agent != null) {
        b.put(HELLO_AGENT, agent);
      }
      return b.build();
    }

    /** The hello a peer sent, as far as it sent one (missing values are null). */
    public static Hello parse(Headers h) {
      byte[] hb = h.get(HELLO_HEARTBEAT);
      long nanos = parseNonNegative(hb);
      return new Hello(h.getString(HELLO_VERSION), h.getString(HELLO_ROLE), h.getString(HELLO_SERVICE),
          h.getString(HELLO_CODEC), nanos < 0 ? null : nanos, hb == null ? null : h.getString(HELLO_HEARTBEAT),
          h.getString(HELLO_AGENT));
    }
  }
}
