package dev.fifochan.it;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.protobuf.ProtobufCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The messages the tests exchange: each is derived from (writer, seq), so a reader can check both the
 * order and the exact contents of everything it receives. The {@code writer == 0} forms of BYTES (8
 * bytes), STRING, GOJSON and PROTOBUF are exactly what {@code fifochan-peer} sends and expects.
 */
final class Messages {
  private Messages() {}

  /** A Java-only JSON message with nested values. */
  public record Event(long seq, int writer, String text, List<Long> values, Map<String, String> attrs) {}

  /** The JSON message of {@code fifochan-peer}: {@code {"seq":<seq>,"text":"ping-<seq>"}}. */
  public record GoEvent(long seq, String text) {}

  enum Kind {
    /** 8-byte big-endian seq, then (if size >= 12) the writer id and filler bytes derived from both. */
    BYTES,
    /** {@code msg-<seq>} (writer 0) or {@code w<writer>:msg-<seq>}. */
    STRING,
    /** {@link Event}. */
    JSON,
    /** {@link GoEvent}. */
    GOJSON,
    /** Even seq {@code Ping{seq, "ping-<seq>"}}, odd seq {@code Pong{seq, 8-byte big-endian seq}}; multi-type. */
    PROTOBUF
  }

  /** What a message says about itself. */
  record Id(int writer, long seq) {}

  @SuppressWarnings("unchecked")
  static Codec<Object> codec(Kind kind) {
    Codec<?> c = switch (kind) {
      case BYTES -> Codecs.bytes();
      case STRING -> Codecs.string();
      case JSON -> JsonCodec.of(Event.class);
      case GOJSON -> JsonCodec.of(GoEvent.class);
      case PROTOBUF -> ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    };
    return (Codec<Object>) c;
  }

  static Object make(Kind kind, int writer, long seq, int size) {
    switch (kind) {
      case BYTES: {
        int n = Math.max(8, size);
        ByteBuffer b = ByteBuffer.allocate(n);
        b.putLong(seq);
        if (n >= 12) {
          b.putInt(writer);
          for (int i = 12; i < n; i++) {
            b.put(filler(writer, seq, i));
          }
        }
        return b.array();
      }
      case STRING:
        return writer == 0 ? "msg-" + seq : "w" + writer + ":msg-" + seq;
      case JSON:
        return new Event(seq, writer, "event \"" + seq + "\" \u00e9\u2713", List.of(seq, seq * 3, -seq),
            Map.of("writer", "w" + writer, "parity", seq % 2 == 0 ? "even" : "odd"));
      case GOJSON:
        return new GoEvent(seq, "ping-" + seq);
      case PROTOBUF:
        if (seq % 2 == 0) {
          return Ping.newBuilder().setSeq(seq).setText("ping-" + seq).build();
        }
        return Pong.newBuilder().setSeq(seq).setPayload(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(seq).array())).build();
      default:
        throw new AssertionError(kind);
    }
  }

  private static byte filler(int writer, long seq, int i) {
    return (byte) (seq * 31 + i * 7 + writer * 13);
  }

  /**
   * Identifies {@code m} and checks that it is exactly the message (writer, seq) should be.
   *
   * @throws AssertionError if the contents are not what the sender made
   */
  static Id check(Kind kind, Object m, int size) {
    Id id;
    switch (kind) {
      case BYTES: {
        byte[] b = (byte[]) m;
        ByteBuffer bb = ByteBuffer.wrap(b);
        long seq = bb.getLong();
        int writer = b.length >= 12 ? bb.getInt() : 0;
        id = new Id(writer, seq);
        if (b.length != Math.max(8, size)) {
          throw new AssertionError("message " + id + " has " + b.length + " bytes, expected " + Math.max(8, size));
        }
        break;
      }
      case STRING: {
        String s = (String) m;
        int colon = s.indexOf(':');
        int writer = s.startsWith("w") && colon > 0 ? Integer.parseInt(s.substring(1, colon)) : 0;
        id = new Id(writer, Long.parseLong(s.substring(s.lastIndexOf('-') + 1)));
        break;
      }
      case JSON: {
        Event e = (Event) m;
        id = new Id(e.writer(), e.seq());
        break;
      }
      case GOJSON:
        id = new Id(0, ((GoEvent) m).seq());
        break;
      case PROTOBUF:
        id = new Id(0, m instanceof Ping p ? p.getSeq() : ((Pong) m).getSeq());
        break;
      default:
        throw new AssertionError(kind);
    }
    Object expected = make(kind, id.writer(), id.seq(), size);
    boolean same = expected instanceof byte[] eb ? Arrays.equals(eb, (byte[]) m) : expected.equals(m);
    if (!same) {
      throw new AssertionError("corrupt message " + id + ": got " + show(m) + ", expected " + show(expected));
    }
    return id;
  }

  static String show(Object m) {
    if (m instanceof byte[] b) {
      return "bytes" + Arrays.toString(Arrays.copyOf(b, Math.min(b.length, 16))) + (b.length > 16 ? "..." : "");
    }
    if (m instanceof Message msg) {
      return msg.getClass().getSimpleName() + "{" + msg.toString().replace('\n', ' ') + "}";
    }
    return String.valueOf(m);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
