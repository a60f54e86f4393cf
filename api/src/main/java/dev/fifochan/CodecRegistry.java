package dev.fifochan;

import dev.fifochan.internal.FrameDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A codec for a channel that carries several message types: each registered type has a tag and its
 * own codec. Encoding picks the entry by the value's class (exact class first, then the first
 * registered supertype); decoding picks it by the frame's tag and fails with
 * {@link UnknownTypeException} for a tag nobody registered.
 *
 * <pre>{@code
 * Codec<Object> codec = CodecRegistry.builder("events")
 *     .register("text", String.class, Codecs.string())
 *     .register("blob", byte[].class, Codecs.bytes())
 *     .build();
 * }</pre>
 */
public final class CodecRegistry implements Codec<Object> {
  private final String name;
  private final Map<String, Entry<?>> byTag;
  private final Map<Class<?>, Entry<?>> byClass;

  private CodecRegistry(Builder b) {
    this.name = b.name;
    this.byTag = Map.copyOf(b.byTag);
    this.byClass = new LinkedHashMap<>(b.byClass);
  }

  /** Starts a registry whose codec name (announced in the preamble) is {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String tagOf(Object value) {
    return entryFor(value).tag;
  }

  /** The tags this registry knows. */
  public java.util.Set<String> tags() {
    return byTag.keySet();
  }

  @Override
  public void encode(Object value, PayloadSink sink) throws IOException {
    entryFor(value).encode(value, sink);
  }

  @Override
  public Object decode(String tag, ByteBuffer payload) throws IOException {
    Entry<?> e = byTag.get(tag);
    if (e == null) {
      throw new UnknownTypeException(tag, payload, -1);
    }
    return e.codec.decode(tag, payload);
  }

  private Entry<?> entryFor(Object value) {
    Objects.requireNonNull(value, "value");
    Entry<?> e = byClass.get(value.getClass());
    if (e != null) {
      return e;
    }
    synchronized (byClass) {
      for (Entry<?> candidate : byClass.values()) {
        if (candidate.type.isInstance(value)) {
          return candidate;
        }
      }
    }
    throw new IllegalArgumentException("no codec registered for " + value.getClass().getName()
        + " in registry '" + name + "'; registered tags: " + byTag.keySet());
  }

  private static final class Entry<T> {
    final String tag;
    final Class<T> type;
    final Codec<T> codec;

    Entry(String tag, Class<T> type, Codec<T> codec) {
      this.tag = tag;
      this.type = type;
      this.codec = codec;
    }

    void encode(Object value, PayloadSink sink) throws IOException {
      codec.encode(type.cast(value), sink);
    }
  }

  /** Builds a {@link CodecRegistry}. */
  public static final class Builder {
    private final String name;
    private final Map<String, Entry<?>> byTag = new LinkedHashMap<>();
    private final Map<Class<?>, Entry<?>> byClass = new LinkedHashMap<>();

    private Builder(String name) {
      if (!FrameDescriptor.isValidCodecName(name)) {
        throw new IllegalArgumentException("codec name must be 1-64 printable ASCII characters: '" + name + "'");
      }
      this.name = name;
    }

    /** Registers {@code type} under {@code tag}, encoded and decoded by {@code codec}. */
    public <T> Builder register(String tag, Class<T> type, Codec<T> codec) {
      Objects.requireNonNull(tag, "tag");
      if (tag.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > FrameDescriptor.MAX_TAG_LENGTH) {
        throw new IllegalArgumentException("tag longer than 255 UTF-8 bytes: " + tag);
      }
      Entry<T> e = new Entry<>(tag, Objects.requireNonNull(type, "type"), Objects.requireNonNull(codec, "codec"));
      if (byTag.putIfAbsent(tag, e) != null) {
        throw new IllegalArgumentException("tag registered twice: " + tag);
      }
      if (byClass.putIfAbsent(type, e) != null) {
        throw new IllegalArgumentException("type registered twice: " + type.getName());
      }
      return this;
    }

    public CodecRegistry build() {
      if (byTag.isEmpty()) {
        throw new IllegalStateException("a registry needs at least one type");
      }
      return new CodecRegistry(this);
    }
  }
}
