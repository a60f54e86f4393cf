package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtobufCodecProviderTest {
  private static final String SET = TestMessages.interopDescriptorSet().toString();

  @Test
  void serviceLoaderFindsTheProtobufProvider() {
    assertInstanceOf(ProtobufCodecProvider.class, Codecs.providers().get("protobuf"));
  }

  @Test
  void createsADynamicCodecForTheNamedTypes() throws IOException {
    Codec<?> codec = Codecs.byName("protobuf",
        Map.of("descriptorSet", SET, "type", "fifochan.interop.Ping, .fifochan.interop.Pong"));
    ProtobufCodec<?> pb = assertInstanceOf(ProtobufCodec.class, codec);
    assertEquals("protobuf", pb.name());
    assertEquals(Set.of("fifochan.interop.Ping", "fifochan.interop.Pong"), pb.typeNames());
    Pong pong = Pong.newBuilder().setSeq(3).build();
    Object decoded = pb.decode("fifochan.interop.Pong", ByteBuffer.wrap(pong.toByteArray()));
    assertEquals(pong.toByteString(), assertInstanceOf(DynamicMessage.class, decoded).toByteString());
  }

  @Test
  void singleTypeReadsUntaggedFrames() throws IOException {
    Codec<?> codec = new ProtobufCodecProvider().create(Map.of("descriptorSet", SET, "type", "fifochan.interop.Ping"));
    Ping ping = Ping.newBuilder().setText("t").build();
    Object decoded = codec.decode("", ByteBuffer.wrap(ping.toByteArray()));
    assertEquals(ping.toByteString(), ((DynamicMessage) decoded).toByteString());
  }

  private static String failure(Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class, () -> new ProtobufCodecProvider().create(options)).getMessage();
  }

  @Test
  void missingOptionsAreNamed() {
    assertTrue(failure(Map.of("type", "fifochan.interop.Ping")).contains("descriptorSet"));
    assertTrue(failure(Map.of("descriptorSet", SET)).contains("type"));
    assertTrue(failure(Map.of()).contains("descriptorSet"));
    assertTrue(failure(Map.of("descriptorSet", SET, "type", " ")).contains("type"));
  }

  @Test
  void unknownOptionAndUnknownTypeAreNamed() {
    assertTrue(failure(Map.of("descriptorSet", SET, "type", "x.Y", "typo", "1")).contains("typo"));
    String m = failure(Map.of("descriptorSet", SET, "type", "fifochan.interop.Pang"));
    assertTrue(m.contains("fifochan.interop.Pang") && m.contains("fifochan.interop.Ping"), m);
    assertTrue(failure(Map.of("descriptorSet", SET, "type", "fifochan.interop.Ping,,")).contains("empty"));
  }

  @Test
  void unreadableDescriptorSetIsAnIllegalArgumentWithTheCause(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProtobufCodecProvider()
        .create(Map.of("descriptorSet", dir.resolve("absent.desc").toString(), "type", "a.B")));
    assertInstanceOf(IOException.class, e.getCause());
    assertTrue(e.getMessage().contains("absent.desc"), e.getMessage());
  }
}
