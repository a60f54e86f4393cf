package dev.fifochan.cli.demo;

import dev.fifochan.Codec;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.protobuf.ProtobufCodec;

/**
 * One codec of the demo with its message type: how to make a message and read its fields. The
 * JSON phase uses the record {@link DemoJson} with {@link JsonCodec}; the protobuf phase the
 * generated {@link DemoMessage} with {@link ProtobufCodec}.
 *
 * @param <T> the message type
 */
public interface DemoCodec<T> {
  /** The filler text of every message. */
  String TEXT = "fifochan demo: a typed message over a FIFO";

  /** "json" or "protobuf". */
  String name();

  /** The codec. */
  Codec<T> codec();

  /** The message class. */
  Class<T> type();

  /** A message. */
  T message(long seq, long sentNanos, String text);

  /** The message's sequence number. */
  long seq(T message);

  /** The message's send time. */
  long sentNanos(T message);

  /** The demo codec named {@code name}. */
  static DemoCodec<?> named(String name) {
    switch (name) {
      case "json":
        return new Json();
      case "protobuf":
        return new Protobuf();
      default:
        throw new IllegalArgumentException("unknown demo codec '" + name + "': json or protobuf");
    }
  }

  /** JSON with a Java record. */
  final class Json implements DemoCodec<DemoJson> {
    private final Codec<DemoJson> codec = JsonCodec.of(DemoJson.class);

    @Override
    public String name() {
      return "json";
    }

    @Override
    public Class<DemoJson> type() {
      return DemoJson.class;
    }

    @Override
    public Codec<DemoJson> codec() {
      return codec;
    }

    @Override
    public DemoJson message(long seq, long sentNanos, String text) {
      return new DemoJson(seq, sentNanos, text);
    }

    @Override
    public long seq(DemoJson message) {
      return message.seq();
    }

    @Override
    public long sentNanos(DemoJson message) {
      return message.sentNanos();
    }
  }

  /** Protobuf with the generated class compiled from {@code src/main/proto/demo.proto}. */
  final class Protobuf implements DemoCodec<DemoMessage> {
    private final Codec<DemoMessage> codec = ProtobufCodec.of(DemoMessage.class);

    @Override
    public String name() {
      return "protobuf";
    }

    @Override
    public Class<DemoMessage> type() {
      return DemoMessage.class;
    }

    @Override
    public Codec<DemoMessage> codec() {
      return codec;
    }

    @Override
    public DemoMessage message(long seq, long sentNanos, String text) {
      return DemoMessage.newBuilder().setSeq(seq).setSentNanos(sentNanos).setText(text).build();
    }

    @Override
    public long seq(DemoMessage message) {
      return message.getSeq();
    }

    @Override
    public long sentNanos(DemoMessage message) {
      return message.getSentNanos();
    }
  }
}
