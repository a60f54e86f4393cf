package dev.fifochan;

import dev.fifochan.internal.FrameDescriptor;
import dev.fifochan.internal.HeaderList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Per-frame metadata: up to 64 key/value pairs that travel with a message (wire format 1.1, §2.2).
 * Keys are 1 to 64 characters of {@code a-z 0-9 - . _}; values are 0 to 4096 arbitrary bytes; a
 * block holds at most 8192 bytes; no key occurs twice. Keys starting with {@code fc-}, and
 * {@code traceparent} and {@code tracestate}, are reserved for fifochan itself.
 *
 * <p>Instances made by {@link #of}, {@link #builder()} and {@link #copy()} are immutable and
 * thread-safe. The headers a receiver hands to a {@link MessageHandler} or {@link FrameHandler} are a
 * reused view of its buffer, valid only during the call: {@link #copy()} them to keep them.
 * Implemented by fifochan only.
 */
public interface Headers {

  /** No headers. */
  static Headers empty() {
    return HeaderList.EMPTY;
  }

  /**
   * Headers from alternating keys and values (values as UTF-8), e.g.
   * {@code Headers.of("content-type", "application/json")}.
   *
   * @throws IllegalArgumentException for an odd count, a bad key or a key given twice
   */
  static Headers of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate: " + keysAndValues.length + " strings given");
    }
    Builder b = builder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = keysAndValues[i];
      if (b.contains(key)) {
        throw new IllegalArgumentException("header key given twice: " + key);
      }
      b.put(key, keysAndValues[i + 1]);
    }
    return b.build();
  }

  /** A builder of immutable headers. */
  static Builder builder() {
    return new Builder();
  }

  /** The value of {@code key}, a copy; null if absent. */
  byte[] get(String key);

  /** The value of {@code key} decoded as UTF-8 (invalid bytes replaced); null if absent. */
  String getString(String key);

  /** Whether {@code key} is present. */
  default boolean containsKey(String key) {
    return get(key) != null;
  }

  /** The keys, in the order they were written. */
  Set<String> keys();

  /** The number of entries. */
  int size();

  /** Whether there are no entries. */
  boolean isEmpty();

  /** Calls {@code action} for each entry in order, with a copy of the value. */
  void forEach(BiConsumer<String, byte[]> action);

  /** An immutable copy (this instance if it is already immutable). */
  Headers copy();

  /**
   * Builds immutable {@link Headers}. Keys are checked here ({@link IllegalArgumentException});
   * the size limits are checked when a sender writes the headers
   * ({@link MessageTooLongException} with limit {@link MessageTooLongException.Limit#HEADERS HEADERS}).
   * Not thread-safe.
   */
  final class Builder {
    private final List<String> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    private Builder() {}

    /**
     * Sets {@code key} to {@code value} (copied), replacing an earlier value of the same key.
     *
     * @throws IllegalArgumentException if the key is not 1 to 64 characters of {@code a-z 0-9 - . _}
     */
    public Builder put(String key, byte[] value) {
      Objects.requireNonNull(value, "value");
      if (!FrameDescriptor.isValidHeaderKey(key)) {
        throw new IllegalArgumentException("header key must be 1 to 64 characters of a-z 0-9 - . _: '" + key + "'");
      }
      int i = keys.indexOf(key);
      if (i >= 0) {
        values.set(i, value.clone());
      } else {
        keys.add(key);
        values.add(value.clone());
      }
      return this;
    }

    /** Sets {@code key} to {@code value} in UTF-8. */
    public Builder put(String key, String value) {
      return put(key, Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** Removes {@code key} if present. */
    public Builder remove(String key) {
      int i = keys.indexOf(key);
      if (i >= 0) {
        keys.remove(i);
        values.remove(i);
      }
      return this;
    }

    /** Whether {@code key} has been put. */
    public boolean contains(String key) {
      return keys.contains(key);
    }

    /** The immutable headers. */
    public Headers build() {
      if (keys.isEmpty()) {
        return HeaderList.EMPTY;
      }
      return new HeaderList(keys.toArray(new String[0]), values.toArray(new byte[0][]));
    }
  }
}
