package dev.fifochan.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.fifochan.Codec;
import dev.fifochan.DecodeException;
import dev.fifochan.EncodeException;
import dev.fifochan.PayloadSink;
import dev.fifochan.UnknownTypeException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code protobuf} codec: protobuf messages in their binary encoding, each frame tagged with the
 * message's full name (e.g. {@code fifochan.interop.Ping}).
 *
 * <pre>{@code
 * Codec<Ping> pings = ProtobufCodec.of(Ping.class);
 * Codec<Message> both = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
 * Codec<Message> runtime = ProtobufCodec.dynamic(DescriptorSets.messageTypes(files).get("x.Y"));
 * }</pre>
 *
 * <p>Decoding looks the parser up by the frame's tag and fails with {@link UnknownTypeException} for
 * a name the codec does not know; an empty tag (from a peer that does not tag) means the type of a
 * codec that knows exactly one. Payloads are parsed straight from the buffer, heap or direct, and the
 * decoded message does not keep a reference to it. Invalid bytes fail with a {@link DecodeException}
 * carrying the tag and the raw payload. Encoding asks the sink for room for the message's serialized
 * size and writes it there with a {@link CodedOutputStream} over that buffer (no copy, no stream), and
 * refuses a message with missing required (proto2) fields.
 * Instances are immutable and thread-safe.
 *
 * @param <M> the message type: a generated class, or {@link Message} for several or run-time types
 */
public final class ProtobufCodec<M extends Message> implements Codec<M> {
  /** The codec name announced in the stream preamble. */
  public static final String NAME = "protobuf";

  private final Map<String, Parser<? extends M>> parsersByName;
  /** The parser for untagged frames: set when the codec knows exactly one type. */
  private final Parser<? extends M> untaggedParser;

  private ProtobufCodec(Map<String, Parser<? extends M>> parsersByName) {
    this.parsersByName = Collections.unmodifiableMap(new LinkedHashMap<>(parsersByName));
    boolean single = parsersByName.size() == 1;
    this.untaggedParser = single ? parsersByName.values().iterator().next() : null;
  }

  /**
   * A codec for the generated message class {@code type}.
   *
   * @throws IllegalArgumentException if {@code type} has no static {@code getDefaultInstance()}
   */
  public static <M extends Message> ProtobufCodec<M> of(Class<M> type) {
    return of(defaultInstanceOf(type));
  }

  /** A codec for the type of {@code prototype}, usually its default instance (e.g. {@code Ping.getDefaultInstance()}). */
  public static <M extends Message> ProtobufCodec<M> of(M prototype) {
    Map<String, Parser<? extends M>> parsers = new LinkedHashMap<>();
    parsers.put(prototype.getDescriptorForType().getFullName(), parserOf(prototype));
    return new ProtobufCodec<>(parsers);
  }

  /**
   * A codec for several message types on one channel, keyed by their full names.
   *
   * @param prototypes one instance of each type, usually the default instance
   * @throws IllegalArgumentException if none is given or two have the same full name
   */
  public static ProtobufCodec<Message> registry(Message... prototypes) {
    Map<String, Parser<? extends Message>> parsers = new LinkedHashMap<>();
    for (Message prototype : prototypes) {
      put(parsers, prototype.getDescriptorForType(), parserOf(prototype));
    }
    return new ProtobufCodec<>(nonEmpty(parsers));
  }

  /**
   * A codec for message types known only at run time (see {@link DescriptorSets}). Decoding yields
   * {@link DynamicMessage}s; encoding takes any message of a known type, generated or dynamic.
   *
   * @throws IllegalArgumentException if no descriptor is given or two have the same full name
   */
  public static ProtobufCodec<Message> dynamic(Descriptor... types) {
    Map<String, Parser<? extends Message>> parsers = new LinkedHashMap<>();
    for (Descriptor type : types) {
      put(parsers, type, DynamicMessage.getDefaultInstance(type).getParserForType());
    }
    return new ProtobufCodec<>(nonEmpty(parsers));
  }

  /** The full names of the message types this codec reads and writes, in the order they were given. */
  public Set<String> typeNames() {
    return parsersByName.keySet();
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The message's full name.
   *
   * @throws IllegalArgumentException if this codec does not know the message's type
   */
  @Override
  public String tagOf(M value) {
    String name = value.getDescriptorForType().getFullName();
    if (!parsersByName.containsKey(name)) {
      throw new IllegalArgumentException("protobuf codec does not know " + name + "; known: " + typeNames());
    }
    return name;
  }

  /**
   * Writes the message into {@code sink}'s room: {@code room(getSerializedSize())}, then a
   * {@link CodedOutputStream} over that buffer, heap or direct, whose {@code flush()} advances the
   * buffer's position past the message.
   *
   * @throws EncodeException if the message lacks required fields (cause: an
   *     {@link com.google.protobuf.UninitializedMessageException}); nothing is written
   */
  @Override
  public void encode(M value, PayloadSink sink) throws IOException {
    tagOf(value);
    if (!value.isInitialized()) {
      throw new EncodeException(NAME, value.getDescriptorForType().getFullName(),
          new com.google.protobuf.UninitializedMessageException(value.findInitializationErrors()));
    }
    int size = value.getSerializedSize();
    ByteBuffer room = sink.room(size);
    int start = room.position();
    CodedOutputStream out = CodedOutputStream.newInstance(room);
    value.writeTo(out);
    out.flush();
    if (room.position() != start + size) {
      throw new IllegalStateException("protobuf wrote " + (room.position() - start) + " bytes for a message of " + size);
    }
  }

  @Override
  public M decode(String tag, ByteBuffer payload) throws IOException {
    boolean untagged = tag.isEmpty() && untaggedParser != null;
    Parser<? extends M> parser = untagged ? untaggedParser : parsersByName.get(tag);
    if (parser == null) {
      throw new UnknownTypeException(tag, payload, -1);
    }
    try {
      return parser.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException(tag, payload, -1, e);
    }
  }

  @Override
  public String toString() {
    return "ProtobufCodec" + typeNames();
  }

  static <M extends Message> M defaultInstanceOf(Class<M> type) {
    try {
      Method m = type.getMethod("getDefaultInstance");
      if (!Modifier.isStatic(m.getModifiers())) {
        throw new IllegalArgumentException(type.getName() + ".getDefaultInstance() is not static");
      }
      return type.cast(m.invoke(null));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException(type.getName() + " is not a generated protobuf message class "
          + "(no public static getDefaultInstance())", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("cannot get the default instance of " + type.getName(), e.getCause());
    }
  }

  @SuppressWarnings("unchecked")
  static <M extends Message> Parser<? extends M> parserOf(M prototype) {
    // A message's parser produces messages of the prototype's own class.
    return (Parser<? extends M>) Objects.requireNonNull(prototype, "prototype").getParserForType();
  }

  private static void put(Map<String, Parser<? extends Message>> parsers, Descriptor type,
      Parser<? extends Message> parser) {
    if (parsers.putIfAbsent(type.getFullName(), parser) != null) {
      throw new IllegalArgumentException("message type given twice: " + type.getFullName());
    }
  }

  private static Map<String, Parser<? extends Message>> nonEmpty(Map<String, Parser<? extends Message>> parsers) {
    if (parsers.isEmpty()) {
      throw new IllegalArgumentException("a protobuf codec needs at least one message type");
    }
    return parsers;
  }
}
