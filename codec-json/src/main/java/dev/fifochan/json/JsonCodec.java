package dev.fifochan.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.fifochan.Codec;
import dev.fifochan.CodecRegistry;
import dev.fifochan.DecodeException;
import dev.fifochan.EncodeException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code json} codec: values of one Jackson-mappable type as UTF-8 JSON, exactly one JSON value
 * per payload.
 *
 * <pre>{@code
 * record Order(long id, Instant placed, Optional<String> note, Duration ttl) {}
 *
 * Codec<Order> orders = JsonCodec.of(Order.class);                 // the standard mapper (below)
 * Codec<Order> mine = JsonCodec.of(Order.class, myMapper);        // exactly the caller's mapper
 * Codec<JsonNode> anything = JsonCodec.tree();
 * Codec<Object> events = JsonCodec.builder()                        // .mapper(myMapper) to replace the standard one
 *     .register("order", Order.class)
 *     .register("cancel", Cancel.class)
 *     .build();
 * }</pre>
 *
 * <h2>The standard mapper</h2>
 * {@link #of(Class)}, {@link #tree()} and a {@link #builder()} without {@link Builder#mapper mapper(...)}
 * read and write with one shared mapper ({@link #standardMapper()} makes a copy to adjust) that handles
 * the types people put in records:
 * <ul>
 *   <li>{@code java.time} ({@code jackson-datatype-jsr310}): {@code Instant}, {@code LocalDate},
 *       {@code OffsetDateTime}, {@code Duration}, ... as ISO-8601 strings
 *       ({@code "2026-11-29T10:15:30Z"}, {@code "2026-11-29"}, {@code "PT1.5S"}), not numeric timestamps
 *       ({@code WRITE_DATES_AS_TIMESTAMPS} and {@code WRITE_DURATIONS_AS_TIMESTAMPS} off); an
 *       {@code OffsetDateTime} reads back with the offset it was written with
 *       ({@code ADJUST_DATES_TO_CONTEXT_TIME_ZONE} off), so a value equals itself after the trip (a
 *       {@code ZonedDateTime} travels as its offset, not its region);</li>
 *   <li>{@code Optional}, {@code OptionalInt}, ... ({@code jackson-datatype-jdk8}): an empty one is written
 *       as {@code null}, and {@code null} or an absent property reads as empty;</li>
 *   <li>constructor parameter names ({@code jackson-module-parameter-names}) for classes compiled with
 *       {@code -parameters}, so an immutable class needs no {@code @JsonCreator}/{@code @JsonProperty}
 *       (records need nothing: Jackson reads their components).</li>
 * </ul>
 * Everything else is Jackson's default (unknown properties fail a decode, for example). These are the
 * Jackson modules of the version fifochan was built with, managed by the Jackson BOM; a peer in another
 * language reads the ISO strings with its standard date parser.
 *
 * <p>{@link #of(Class, ObjectMapper)} and {@link Builder#mapper(ObjectMapper)} use the caller's mapper as
 * it is: nothing is registered on it (a plain {@code new ObjectMapper()} fails to write an {@code Instant},
 * which Jackson reports and the sender turns into an {@link EncodeException}).
 *
 * <p>A single-type codec writes no type tag and ignores the tag of the frames it reads. Values are
 * written with {@code T} as Jackson's root type, so the encoding matches what decoding expects; a
 * polymorphic {@code T} needs Jackson's type information ({@code @JsonTypeInfo}). Decoding reads
 * straight from the payload buffer (the backing array of a heap buffer, a reused per-thread copy
 * of a direct one up to 64 KiB, or a stream over a larger one) and rejects anything after the first JSON value, a byte-order mark, and a JSON {@code null}
 * for a type other than {@link JsonNode} (docs/wire-format.md §7). Instances are immutable and thread-safe.
 *
 * @param <T> the type of the values
 */
public final class JsonCodec<T> implements Codec<T> {
  /** The codec name announced in the stream preamble. */
  public static final String NAME = "json";

  private static final ObjectMapper DEFAULT_MAPPER = standardMapper();
  private static final JsonCodec<JsonNode> TREE = new JsonCodec<>(JsonNode.class, DEFAULT_MAPPER);

  /** Payloads up to this many bytes are decoded from a per-thread copy (Jackson's array parser). */
  private static final int SCRATCH_LIMIT = 64 * 1024;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Class<T> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  /** Each thread's generator for this codec, reused for every value it encodes. */
  private final ThreadLocal<Encoder> encoders = new ThreadLocal<>();

  private JsonCodec(Class<T> type, ObjectMapper mapper) {
    this.type = Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mapper, "mapper");
    this.reader = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    // The stream is the sender's frame buffer: never close it, and leave flushing to the sender.
    this.writer = mapper.writerFor(type)
        .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
        .without(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
  }

  /**
   * A codec for {@code type} with the standard mapper: {@code java.time} as ISO-8601 strings,
   * {@code Optional}, constructor parameter names (see the class description).
   */
  public static <T> JsonCodec<T> of(Class<T> type) {
    return type == JsonNode.class ? cast(TREE) : new JsonCodec<>(type, DEFAULT_MAPPER);
  }

  /**
   * A codec for {@code type} that reads and writes with the caller's configured {@code mapper}, as it is:
   * no module is registered on it. (Start from {@link #standardMapper()} to keep the standard modules.)
   */
  public static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
    return new JsonCodec<>(type, mapper);
  }

  /**
   * A new mapper configured as the one {@link #of(Class)} uses: the {@code java.time} module with ISO-8601
   * strings instead of timestamps, the {@code Optional} module, the parameter-names module. Each call
   * returns a new instance, free to adjust and pass to {@link #of(Class, ObjectMapper)}.
   */
  public static ObjectMapper standardMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        .addModule(new ParameterNamesModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .build();
  }

  /** A codec for any JSON value as a Jackson tree; a JSON {@code null} decodes to a {@code NullNode}. */
  public static JsonCodec<JsonNode> tree() {
    return TREE;
  }

  /** Starts a codec for several types on one channel, told apart by type tags. */
  public static Builder builder() {
    return new Builder();
  }

  /** The type this codec reads and writes. */
  public Class<T> type() {
    return type;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Writes {@code value} as JSON through the sink's reused {@link PayloadSink#asOutputStream() stream}
   * (straight into the frame buffer; no wrapper per message).
   *
   * @throws EncodeException if Jackson cannot serialize the value (its exception is the cause)
   */
  @Override
  public void encode(T value, PayloadSink sink) throws IOException {
    try {
      Encoder encoder = encoders.get();
      if (encoder == null) {
        encoder = new Encoder(writer);
        encoders.set(encoder);
      }
      if (encoder.busy || !encoder.reusable) { // a serializer that encodes with this codec again; a pretty printer
        writer.writeValue(sink.asOutputStream(), value);
        return;
      }
      encoder.write(writer, value, sink.asOutputStream(), encoders);
    } catch (JacksonException e) {
      // Failures of the sink itself (e.g. a message too long) are not JacksonExceptions and pass unchanged.
      throw new EncodeException(NAME, value == null ? "null" : value.getClass().getName(), e);
    }
  }

  @Override
  public T decode(String tag, ByteBuffer payload) throws IOException {
    int start = payload.position();
    if (payload.remaining() >= 3 && payload.get(start) == (byte) 0xEF && payload.get(start + 1) == (byte) 0xBB
        && payload.get(start + 2) == (byte) 0xBF) {
      // JSON text in a payload carries no byte-order mark (docs/wire-format.md §7); Jackson would skip it.
      throw new DecodeException(tag, payload, -1, new IllegalArgumentException("a byte-order mark before the JSON value"));
    }
    T value;
    try {
      int length = payload.remaining();
      Scratch scratch;
      if (payload.hasArray()) {
        value = reader.readValue(payload.array(), payload.arrayOffset() + start, length);
      } else if (length <= SCRATCH_LIMIT && !(scratch = SCRATCH.get()).busy) {
        byte[] copy = scratch.atLeast(length);
        payload.get(start, copy, 0, length);
        scratch.busy = true; // a deserializer that decodes with a JSON codec again gets the stream path
        try {
          value = reader.readValue(copy, 0, length);
        } finally {
          scratch.busy = false;
        }
      } else {
        value = reader.readValue(new ByteBufferBackedInputStream(payload));
      }
    } catch (JacksonException e) {
      payload.position(start);
      throw new DecodeException(tag, payload, -1, e);
    }
    if (value == null) {
      payload.position(start);
      throw new DecodeException(tag, payload, -1, new IllegalArgumentException("JSON null cannot be decoded as " + type.getName()));
    }
    payload.position(payload.limit());
    return value;
  }

  @Override
  public String toString() {
    return "JsonCodec[" + type.getName() + "]";
  }

  /**
   * A thread's generator for one codec, kept across values (no generator, I/O context and write
   * contexts per message): it writes through a stream pointed at the current sink, with no separator
   * between root values, so each payload is exactly one value, byte for byte what a fresh generator
   * writes. Dropped after a failure (a half-written value leaves the generator unusable).
   */
  private static final class Encoder extends OutputStream {
    private final JsonGenerator generator;
    /** False with a pretty printer, which writes its own separator between root values: a generator per value then. */
    final boolean reusable;
    private OutputStream target;
    boolean busy;

    Encoder(ObjectWriter writer) throws IOException {
      this.generator = writer.createGenerator(this, JsonEncoding.UTF8);
      generator.setRootValueSeparator(null);
      this.reusable = generator.getPrettyPrinter() == null;
    }

    void write(ObjectWriter writer, Object value, OutputStream sink, ThreadLocal<Encoder> owner) throws IOException {
      target = sink;
      busy = true;
      boolean done = false;
      try {
        writer.writeValue(generator, value);
        generator.flush();
        done = true;
      } finally {
        target = null;
        busy = false;
        if (!done) {
          owner.remove();
        }
      }
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }
  }

  /** A thread's reused array for payloads up to {@link #SCRATCH_LIMIT} (values never keep it). */
  private static final class Scratch {
    private byte[] bytes = new byte[1024];
    boolean busy;

    byte[] atLeast(int size) {
      if (bytes.length < size) {
        bytes = new byte[Math.min(SCRATCH_LIMIT, Math.max(size, 2 * bytes.length))];
      }
      return bytes;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> JsonCodec<T> cast(JsonCodec<?> codec) {
    return (JsonCodec<T>) codec;
  }

  /**
   * Builds a {@code json} codec for several types on one channel. Encoding picks the tag by the
   * value's class (exact class first, then the first registered supertype); decoding picks the class
   * by the frame's tag and fails with {@link UnknownTypeException}, carrying the tag and the raw
   * payload, for a tag nobody registered.
   */
  public static final class Builder {
    private ObjectMapper mapper = DEFAULT_MAPPER;
    private final Map<String, Class<?>> typesByTag = new LinkedHashMap<>();
    private final Set<Class<?>> types = new HashSet<>();

    private Builder() {}

    /**
     * The mapper every registered type is read and written with, used as it is; the standard mapper
     * ({@link JsonCodec#standardMapper()}) if not set.
     */
    public Builder mapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * Registers {@code type} under {@code tag} (at most 255 UTF-8 bytes).
     *
     * @throws IllegalArgumentException if the tag or the type is registered already, or the tag is too long
     */
    public Builder register(String tag, Class<?> type) {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(type, "type");
      if (tag.getBytes(StandardCharsets.UTF_8).length > Codec.MAX_TAG_LENGTH) {
        throw new IllegalArgumentException("tag longer than 255 UTF-8 bytes: " + tag);
      }
      if (typesByTag.containsKey(tag)) {
        throw new IllegalArgumentException("tag registered twice: '" + tag + "'");
      }
      if (!types.add(type)) {
        throw new IllegalArgumentException("type registered twice: " + type.getName());
      }
      typesByTag.put(tag, type);
      return this;
    }

    /**
     * The codec, named {@code json}.
     *
     * @throws IllegalStateException if no type was registered
     */
    public Codec<Object> build() {
      if (typesByTag.isEmpty()) {
        throw new IllegalStateException("register at least one type");
      }
      CodecRegistry.Builder registry = CodecRegistry.builder(NAME);
      typesByTag.forEach((tag, type) -> add(registry, tag, type));
      return registry.build();
    }

    private <T> void add(CodecRegistry.Builder registry, String tag, Class<T> type) {
      registry.register(tag, type, new JsonCodec<>(type, mapper));
    }
  }
}
