package dev.fifochan.json;

import dev.fifochan.Codec;
import dev.fifochan.CodecProvider;
import java.util.Map;

/**
 * Makes the {@code json} codec discoverable through {@link java.util.ServiceLoader}: creates
 * {@link JsonCodec#tree()}, which reads any JSON value. Takes no options.
 */
public final class JsonCodecProvider implements CodecProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public JsonCodecProvider() {}

  @Override
  public String name() {
    return JsonCodec.NAME;
  }

  /** @throws IllegalArgumentException if any option is given */
  @Override
  public Codec<?> create(Map<String, String> options) {
    if (options != null && !options.isEmpty()) {
      throw new IllegalArgumentException("the json codec takes no options; got " + options.keySet());
    }
    return JsonCodec.tree();
  }
}
