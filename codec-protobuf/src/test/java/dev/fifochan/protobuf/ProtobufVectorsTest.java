package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fifochan.ChannelConfig;
import dev.fifochan.DecodeException;
import dev.fifochan.Receiver;
import dev.fifochan.StreamException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shared vector whose reader codec is {@code protobuf} (schema testdata/proto/interop.proto):
 * each frame without an {@code error} decodes, by its tag, to the message whose canonical proto3 JSON
 * is its {@code value}; {@code unknown_type} and {@code undecodable} frames fail as such; a receiver
 * over the whole stream delivers those values and dead-letters those frames. Generated and dynamic
 * codecs alike.
 */
class ProtobufVectorsTest {

  static Stream<String> vectors() throws IOException {
    Path dir = ProtobufVectorTest.repoRoot().resolve("testdata/vectors");
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".json")).sorted()::iterator) {
        JsonObject v = JsonParser.parseString(Files.readString(p)).getAsJsonObject();
        if (v.has("reader") && v.getAsJsonObject("reader").get("codec").getAsString().equals("protobuf")) {
          String n = p.getFileName().toString();
          names.add(n.substring(0, n.length() - 5));
        }
      }
    }
    assertTrue(names.contains("protobuf-decoding"), "the protobuf vectors: " + names);
    return names.stream();
  }

  private static List<ProtobufCodec<Message>> codecs() {
    return List.of(ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance()),
        ProtobufCodec.dynamic(Ping.getDescriptor(), Pong.getDescriptor()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void framesDecodeToTheirCanonicalJsonOrFailAsTheVectorSays(String name) throws IOException {
    Path dir = ProtobufVectorTest.repoRoot().resolve("testdata/vectors");
    JsonObject v = JsonParser.parseString(Files.readString(dir.resolve(name + ".json"))).getAsJsonObject();
    for (ProtobufCodec<Message> codec : codecs()) {
      List<JsonElement> delivered = new ArrayList<>();
      int failures = 0;
      for (JsonElement e : v.getAsJsonArray("records")) {
        JsonObject r = e.getAsJsonObject();
        if (!r.get("kind").getAsString().equals("frame")) {
          continue;
        }
        String error = r.has("error") ? r.get("error").getAsString() : null;
        if ("bad_tag".equals(error) || "bad_headers".equals(error)) {
          failures++;
          continue; // framing-level: the api's tests
        }
        byte[] payload = HexFormat.of().parseHex(r.get("payload_hex").getAsString());
        String tag = r.get("tag").getAsString();
        String at = name + " at " + r.get("offset") + " via " + codec;
        for (ByteBuffer b : List.of(ByteBuffer.wrap(payload), TestMessages.directReadOnly(payload))) {
          if (error != null) {
            Exception x = assertThrows(Exception.class, () -> codec.decode(tag, b), at);
            if (error.equals("unknown_type")) {
              assertInstanceOf(UnknownTypeException.class, x, at);
            } else {
              assertTrue(!(x instanceof UnknownTypeException), at + ": " + x);
            }
          } else {
            Message m = codec.decode(tag, b);
            assertEquals(r.get("value"), JsonParser.parseString(JsonFormat.printer().print(m)), at);
          }
        }
        if (error != null) {
          failures++;
        } else {
          delivered.add(r.get("value"));
        }
      }
      List<DecodeException> dead = new ArrayList<>();
      ChannelConfig config = ChannelConfig.builder()
          .maxFrameLength(v.getAsJsonObject("reader").get("max_frame_length").getAsInt()).deadLetters(dead::add).build();
      byte[] bin = Files.readAllBytes(dir.resolve(name + ".bin"));
      try (Receiver<Message> rx = Receiver.over(Channels.newChannel(new ByteArrayInputStream(bin)), codec, config)) {
        for (JsonElement want : delivered) {
          Message got;
          try {
            got = rx.receive();
          } catch (StreamException x) {
            break; // the outcome is the api's to check
          }
          assertNotNull(got, name);
          assertEquals(want, JsonParser.parseString(JsonFormat.printer().print(got)), name);
        }
        try {
          while (rx.receive() != null) {
            // to the end
          }
        } catch (StreamException x) {
          // as above
        }
      }
      assertEquals(failures, dead.size(), name + ": dead letters " + dead);
    }
  }
}
