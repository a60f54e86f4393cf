package dev.fifochan.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fifochan.Codec;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.protobuf.ProtobufCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Protobuf messages of types known only from a descriptor set, written and read as JSON lines in
 * protobuf's canonical JSON mapping ({@code JsonFormat}), without generated classes.
 *
 * <p>With one type, a line is just the message ({@code {"seq":"1","text":"hi"}}). With several, each
 * line names its type in an {@code "@type"} member holding the full name, the convention of
 * protobuf's JSON mapping for {@code Any} ({@code {"@type":"fifochan.interop.Ping","seq":"1"}}), and
 * received messages are printed the same way. Frames are tagged with the full name either way.
 * Unknown JSON fields are errors, so typos do not vanish silently.
 */
public final class ProtobufJsonFormat implements MessageFormat<Message> {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String TYPE_FIELD = "@type";
  private final Map<String, Descriptor> types;
  private final ProtobufCodec<Message> codec;
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;

  /**
   * A format for {@code types} (at least one); {@code all} are every type of the descriptor set, so
   * that {@code Any} fields can be printed and parsed.
   */
  public ProtobufJsonFormat(Collection<Descriptor> types, Collection<Descriptor> all) {
    this.types = new LinkedHashMap<>();
    for (Descriptor d : types) {
      this.types.put(d.getFullName(), d);
    }
    this.codec = ProtobufCodec.dynamic(types.toArray(new Descriptor[0]));
    JsonFormat.TypeRegistry registry = JsonFormat.TypeRegistry.newBuilder().add(all).build();
    this.parser = JsonFormat.parser().usingTypeRegistry(registry);
    this.printer = JsonFormat.printer().usingTypeRegistry(registry).omittingInsignificantWhitespace();
  }

  private boolean single() {
    return types.size() == 1;
  }

  @Override
  public Codec<Message> codec() {
    return codec;
  }

  @Override
  public MessageInput<Message> input(InputStream in) {
    ByteLines lines = new ByteLines(in);
    return () -> {
      byte[] line;
      do {
        line = lines.next();
      } while (line != null && new String(line, StandardCharsets.UTF_8).isBlank());
      if (line == null) {
        return null;
      }
      try {
        return parse(new String(line, StandardCharsets.UTF_8));
      } catch (IOException | IllegalArgumentException e) {
        throw new CliException(ExitCode.BAD_MESSAGE, "stdin line " + lines.lineNumber() + ": " + e.getMessage(), e);
      }
    };
  }

  /** Parses one JSON line into a message of the type it names (or the single type). */
  Message parse(String json) throws IOException {
    Descriptor type;
    String body = json;
    if (single() && !json.contains("\"" + TYPE_FIELD + "\"")) {
      type = types.values().iterator().next();
    } else {
      JsonNode node = MAPPER.readTree(json);
      if (!(node instanceof ObjectNode)) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      JsonNode name = ((ObjectNode) node).remove(TYPE_FIELD);
      if (name == null) {
        throw new IllegalArgumentException("missing \"@type\": with several types each line must name its"
            + " type, one of " + types.keySet());
      }
      type = types.get(name.asText());
      if (type == null) {
        throw new IllegalArgumentException("\"@type\": \"" + name.asText() + "\" is not one of " + types.keySet());
      }
      body = MAPPER.writeValueAsString(node);
    }
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      parser.merge(body, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a valid " + type.getFullName() + ": " + e.getMessage(), e);
    }
    return builder.build();
  }

  /** The JSON line for {@code m}: with an {@code "@type"} member first when there are several types. */
  String print(Message m) throws InvalidProtocolBufferException {
    String json = printer.print(m);
    if (single()) {
      return json;
    }
    String typeMember = "{\"" + TYPE_FIELD + "\":" + quote(m.getDescriptorForType().getFullName());
    return json.equals("{}") ? typeMember + "}" : typeMember + "," + json.substring(1);
  }

  private static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public MessageOutput<Message> output(OutputStream out) {
    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    return new MessageOutput<>() {
      @Override
      public void write(Message message) throws IOException {
        buffered.write(print(message).getBytes(StandardCharsets.UTF_8));
        buffered.write('\n');
      }

      @Override
      public void flush() throws IOException {
        buffered.flush();
      }
    };
  }

  /** The message alone in proto3's canonical JSON mapping (no {@code "@type"}), compact. */
  @Override
  public String valueJson(Message message) throws IOException {
    return printer.print(message);
  }

  @Override
  public Class<Message> type() {
    return Message.class;
  }
}
