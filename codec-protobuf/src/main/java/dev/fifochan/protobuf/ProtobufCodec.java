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

  /** Payloads up to this many bytes are encoded and decoded through a per-thread heap array. */
  private static final int SCRATCH_LIMIT = 64 * 1024;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Map<String, Parser<? extends M>> parsersByName;
  /** The parser for untagged frames: set when the codec knows exactly one type. */
  private final Parser<? extends M> untaggedParser;
  /** The one type's full name (the map's key instance), or null for several types. */
  private final String singleName;
  /** The one type's descriptor if known (identity fast path of {@link #tagOf}), else null. */
  private final Descriptor singleDescriptor;
  /** The descriptor {@link #tagOf} found known last (a benign race: a hint, re-checked on a miss). */
  private Descriptor lastKnown;
  /** The last tag instance seen equal to {@link #singleName} (a benign race, like {@link #lastKnown}). */
  private String lastSingleTag = "";

  private ProtobufCodec(Map<String, Parser<? extends M>> parsersByName, Descriptor single) {
    this.parsersByName = Collections.unmodifiableMap(new LinkedHashMap<>(parsersByName));
    boolean one = parsersByName.size() == 1;
    this.untaggedParser = one ? parsersByName.values().iterator().next() : null;
    this.singleName = one ? this.parsersByName.keySet().iterator().next() : null;
    this.singleDescriptor = one && single != null && single.getFullName().equals(singleName) ? single : null;
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
    return new ProtobufCodec<>(parsers, prototype.getDescriptorForType());
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
    return new ProtobufCodec<>(nonEmpty(parsers), prototypes.length == 1 ? prototypes[0].getDescriptorForType() : null);
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
    return new ProtobufCodec<>(nonEmpty(parsers), types.length == 1 ? types[0] : null);
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
    Descriptor type = value.getDescriptorForType();
    if (type == singleDescriptor) {
      return singleName;
    }
    String name = type.getFullName();
    if (type != lastKnown) {
      if (!parsersByName.containsKey(name)) {
        throw new IllegalArgumentException("protobuf codec does not know " + name + "; known: " + typeNames());
      }
      lastKnown = type;
    }
    return name;
  }

  /**
   * Writes the message into {@code sink}'s room: {@code room(getSerializedSize())}, then a
   * {@link CodedOutputStream} over that buffer's array, or (a direct buffer) over a reused per-thread
   * array copied into it; a message over 64 KiB is written straight into a direct buffer.
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
    if (room.hasArray()) {
      writeArray(value, room.array(), room.arrayOffset() + start, size);
      room.position(start + size);
    } else if (size <= SCRATCH_LIMIT) {
      byte[] scratch = SCRATCH.get().atLeast(size);
      writeArray(value, scratch, 0, size); // protobuf's array encoder: strings in place, no buffer duplicate
      room.put(scratch, 0, size);
    } else {
      CodedOutputStream out = CodedOutputStream.newInstance(room);
      value.writeTo(out);
      out.flush();
      if (room.position() != start + size) {
        throw new IllegalStateException("protobuf wrote " + (room.position() - start) + " bytes for a message of " + size);
      }
    }
  }

  private static void writeArray(Message value, byte[] array, int offset, int size) throws IOException {
    CodedOutputStream out = CodedOutputStream.newInstance(array, offset, size);
    value.writeTo(out);
    if (out.spaceLeft() != 0) {
      throw new IllegalStateException("protobuf wrote " + (size - out.spaceLeft()) + " bytes for a message of " + size);
    }
  }

  @Override
  public M decode(String tag, ByteBuffer payload) throws IOException {
    Parser<? extends M> parser = parserFor(tag);
    if (parser == null) {
      throw new UnknownTypeException(tag, payload, -1);
    }
    int start = payload.position();
    int length = payload.remaining();
    try {
      if (payload.hasArray()) {
        return parser.parseFrom(payload.array(), payload.arrayOffset() + start, length);
      }
      if (length <= SCRATCH_LIMIT) {
        // protobuf copies a direct buffer into a new array anyway: copy into a reused one instead
        byte[] scratch = SCRATCH.get().atLeast(length);
        payload.get(start, scratch, 0, length);
        return parser.parseFrom(scratch, 0, length);
      }
      return parser.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException(tag, payload, -1, e);
    }
  }

  /** The parser for a frame's tag, or null if unknown; no map look-up for a single-type codec. */
  private Parser<? extends M> parserFor(String tag) {
    if (singleName != null) {
      if (tag == lastSingleTag || tag.isEmpty()) {
        return untaggedParser;
      }
      if (tag.equals(singleName)) {
        lastSingleTag = tag; // the receiver hands the same tag instance for every frame
        return untaggedParser;
      }
      return null;
    }
    return tag.isEmpty() ? null : parsersByName.get(tag);
  }

  /** A thread's reused array for payloads up to {@link #SCRATCH_LIMIT} (never kept by a message). */
  private static final class Scratch {
    private byte[] bytes = new byte[512];

    byte[] atLeast(int size) {
      if (bytes.length < size) {
        bytes = new byte[Math.min(SCRATCH_LIMIT, Math.max(size, 2 * bytes.length))];
      }
      return bytes;
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
