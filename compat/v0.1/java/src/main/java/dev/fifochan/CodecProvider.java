package dev.fifochan;

import java.util.Map;

/**
 * Service-provider interface that makes a codec discoverable by name through
 * {@link java.util.ServiceLoader} (see {@link Codecs#byName(String, Map)}). Register an implementation
 * in {@code META-INF/services/dev.fifochan.CodecProvider}.
 */
public interface CodecProvider {

  /** The name of the codec this provider creates, equal to the codec's {@link Codec#name()}. */
  String name();

  /**
   * Creates a codec for generic values of this encoding (for example a JSON tree).
   *
   * @param options provider-specific settings, e.g. {@code descriptorSet} and {@code type} for protobuf
   * @throws IllegalArgumentException if a required option is missing or invalid
   */
  Codec<?> create(Map<String, String> options);
}
