package dev.fifochan.protobuf;

import static dev.fifochan.protobuf.TestMessages.directReadOnly;
import static dev.fifochan.protobuf.TestMessages.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The normative vector {@code testdata/vectors/protobuf-multitype}: each payload decodes, by its tag,
 * to the message whose canonical protobuf JSON is the record's {@code value}, and re-encodes.
 */
class ProtobufVectorTest {
  record Frame(long offset, String tag, byte[] payload, JsonElement value) {}

  private static final Map<String, Message> PROTOTYPES =
      Map.of("fifochan.interop.Ping", Ping.getDefaultInstance(), "fifochan.interop.Pong", Pong.getDefaultInstance());
  private static List<Frame> frames;
  private static byte[] stream;

  static Path repoRoot() {
    String env = System.getenv("FIFOCHAN_REPO_ROOT");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
  }

  @BeforeAll
  static void load() throws IOException {
    Path dir = repoRoot().resolve("testdata/vectors");
    JsonObject doc = JsonParser.parseString(Files.readString(dir.resolve("protobuf-multitype.json"))).getAsJsonObject();
    stream = Files.readAllBytes(dir.resolve("protobuf-multitype.bin"));
    frames = new ArrayList<>();
    for (JsonElement e : doc.getAsJsonArray("records")) {
      JsonObject r = e.getAsJsonObject();
      if (r.get("kind").getAsString().equals("frame")) {
        frames.add(new Frame(r.get("offset").getAsLong(), r.get("tag").getAsString(),
            HexFormat.of().parseHex(r.get("payload_hex").getAsString()), r.get("value")));
      }
    }
    assertEquals(4, frames.size(), "frames in the vector");
  }

  @Test
  void payloadsAreWhereTheStreamHasThem() {
    for (Frame f : frames) {
      int start = (int) f.offset() + 6 + f.tag().getBytes(StandardCharsets.UTF_8).length;
      assertArrayEquals(f.payload(), Arrays.copyOfRange(stream, start, start + f.payload().length), f.tag());
    }
  }

  @Test
  void everyPayloadDecodesByTagToItsCanonicalJsonValue() throws IOException {
    ProtobufCodec<Message> registry = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    ProtobufCodec<Message> dynamic = ProtobufCodec.dynamic(Ping.getDescriptor(), Pong.getDescriptor());
    for (Frame f : frames) {
      for (ProtobufCodec<Message> codec : List.of(registry, dynamic)) {
        for (ByteBuffer payload : List.of(ByteBuffer.wrap(f.payload()), directReadOnly(f.payload()))) {
          Message m = codec.decode(f.tag(), payload);
          assertEquals(f.tag(), m.getDescriptorForType().getFullName());
          assertTrue(m.getUnknownFields().asMap().isEmpty(), "unknown fields in frame at " + f.offset());
          JsonElement json = JsonParser.parseString(JsonFormat.printer().print(m));
          assertEquals(f.value(), json, "frame at " + f.offset() + " via " + codec);
        }
      }
      // And the other way: the JSON value parses to the message the payload holds.
      Message.Builder b = PROTOTYPES.get(f.tag()).newBuilderForType();
      JsonFormat.parser().merge(f.value().toString(), b);
      assertEquals(b.build(), registry.decode(f.tag(), ByteBuffer.wrap(f.payload())));
    }
  }

  @Test
  void everyPayloadReencodesByteForByte() throws IOException {
    ProtobufCodec<Message> registry = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    ProtobufCodec<Message> dynamic = ProtobufCodec.dynamic(Ping.getDescriptor(), Pong.getDescriptor());
    for (Frame f : frames) {
      for (ProtobufCodec<Message> codec : List.of(registry, dynamic)) {
        Message m = codec.decode(f.tag(), ByteBuffer.wrap(f.payload()));
        assertEquals(f.tag(), codec.tagOf(m));
        assertArrayEquals(f.payload(), encode(codec, m), "frame at " + f.offset() + " via " + codec);
      }
    }
  }
}
