package dev.fifochan.it.container;

import com.google.protobuf.ByteString;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.protobuf.ProtobufCodec;
import java.nio.ByteBuffer;

/**
 * The sequence both peers agree on, message {@code seq} being exactly what {@code fifochan-peer}
 * sends: json {@code {"seq":<seq>,"text":"ping-<seq>"}}; protobuf {@code Ping{seq, "ping-<seq>"}} for
 * an even seq and {@code Pong{seq, 8-byte big-endian seq}} for an odd one; string {@code msg-<seq>}.
 */
final class PeerMessages {
  private PeerMessages() {}

  /** The JSON message of the peers. */
  public record Event(long seq, String text) {}

  @SuppressWarnings("unchecked")
  static Codec<Object> codec(String name) {
    Codec<?> c = switch (name) {
      case "json" -> JsonCodec.of(Event.class);
      case "protobuf" -> ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
      case "string" -> Codecs.string();
      default -> throw new IllegalArgumentException("codec " + name);
    };
    return (Codec<Object>) c;
  }

  static Object make(String codec, long seq) {
    return switch (codec) {
      case "json" -> new Event(seq, "ping-" + seq);
      case "protobuf" -> seq % 2 == 0
          ? Ping.newBuilder().setSeq(seq).setText("ping-" + seq).build()
          : Pong.newBuilder().setSeq(seq).setPayload(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(seq).array())).build();
      case "string" -> "msg-" + seq;
      default -> throw new IllegalArgumentException("codec " + codec);
    };
  }

  /** Checks that {@code m} is exactly message {@code expectedSeq} of the sequence. */
  static void check(String codec, Object m, long expectedSeq) {
    Object expected = make(codec, expectedSeq);
    if (!expected.equals(m)) {
      throw new AssertionError("message " + expectedSeq + ": expected " + show(expected) + " but got " + show(m));
    }
  }

  static String show(Object m) {
    return m == null ? "null" : m.getClass().getSimpleName() + "{" + m.toString().replace('\n', ' ').trim() + "}";
  }
}
