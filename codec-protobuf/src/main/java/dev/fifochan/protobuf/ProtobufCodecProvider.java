package dev.fifochan.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import dev.fifochan.Codec;
import dev.fifochan.CodecProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the {@code protobuf} codec discoverable through {@link java.util.ServiceLoader}. It creates a
 * {@link ProtobufCodec#dynamic dynamic} codec from two options:
 * <ul>
 *   <li>{@code descriptorSet}: path of a {@code FileDescriptorSet} file
 *       ({@code protoc --include_imports --descriptor_set_out=FILE});</li>
 *   <li>{@code type}: the full name of the message type, or several separated by commas
 *       (e.g. {@code fifochan.interop.Ping,fifochan.interop.Pong}).</li>
 * </ul>
 */
public final class ProtobufCodecProvider implements CodecProvider {
  /** Option: path of the descriptor set file. */
  public static final String DESCRIPTOR_SET = "descriptorSet";
  /** Option: comma-separated full message names. */
  public static final String TYPE = "type";

  private static final Set<String> OPTIONS = Set.of(DESCRIPTOR_SET, TYPE);

  /** Called by {@link java.util.ServiceLoader}. */
  public ProtobufCodecProvider() {}

  @Override
  public String name() {
    return ProtobufCodec.NAME;
  }

  /**
   * @throws IllegalArgumentException if an option is missing, unknown or invalid, the descriptor set
   *     cannot be read, or it lacks a named type
   */
  @Override
  public Codec<?> create(Map<String, String> options) {
    Map<String, String> given = options == null ? Map.of() : options;
    for (String key : given.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "' for the protobuf codec; it takes "
            + DESCRIPTOR_SET + " and " + TYPE);
      }
    }
    String setPath = required(given, DESCRIPTOR_SET, "the path of a FileDescriptorSet file, as written by "
        + "protoc --include_imports --descriptor_set_out=FILE");
    String typeList = required(given, TYPE, "the full name of the message type, e.g. my.pkg.MyMessage, "
        + "or several separated by commas");

    Map<String, Descriptor> known;
    try {
      known = DescriptorSets.messageTypes(DescriptorSets.load(Path.of(setPath)));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read descriptor set " + setPath + ": " + e.getMessage(), e);
    }
    List<Descriptor> types = new ArrayList<>();
    for (String part : typeList.split(",", -1)) {
      String name = part.strip();
      if (name.startsWith(".")) {
        name = name.substring(1);
      }
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty message name in option " + TYPE + "='" + typeList + "'");
      }
      Descriptor type = known.get(name);
      if (type == null) {
        throw new IllegalArgumentException("descriptor set " + setPath + " has no message type " + name
            + "; it has " + known.keySet());
      }
      types.add(type);
    }
    return ProtobufCodec.dynamic(types.toArray(new Descriptor[0]));
  }

  private static String required(Map<String, String> options, String key, String what) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the protobuf codec needs the option " + key + ": " + what);
    }
    return value;
  }
}
