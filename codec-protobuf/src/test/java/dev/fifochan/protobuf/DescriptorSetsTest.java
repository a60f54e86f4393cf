package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.fifochan.interop.Ping;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorSetsTest {

  private static FieldDescriptorProto.Builder field(String name, int number) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
  }

  private static FieldDescriptorProto.Builder messageField(String name, int number, String typeName) {
    return field(name, number).setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(typeName);
  }

  /** a/base.proto: package a; message Base { int64 id = 1; message Inner { string s = 1; } }. */
  private static FileDescriptorProto base() {
    return FileDescriptorProto.newBuilder().setName("a/base.proto").setPackage("a").setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName("Base")
            .addField(field("id", 1).setType(FieldDescriptorProto.Type.TYPE_INT64))
            .addNestedType(DescriptorProto.newBuilder().setName("Inner")
                .addField(field("s", 1).setType(FieldDescriptorProto.Type.TYPE_STRING))))
        .build();
  }

  /** b/top.proto: package b; import "a/base.proto"; message Top { a.Base base = 1; }. */
  private static FileDescriptorProto top() {
    return FileDescriptorProto.newBuilder().setName("b/top.proto").setPackage("b").setSyntax("proto3")
        .addDependency("a/base.proto")
        .addMessageType(DescriptorProto.newBuilder().setName("Top").addField(messageField("base", 1, ".a.Base")))
        .build();
  }

  @Test
  void loadsTheDescriptorSetProtocWrote() throws IOException {
    List<FileDescriptor> files = DescriptorSets.load(TestMessages.interopDescriptorSet());
    Map<String, Descriptor> types = DescriptorSets.messageTypes(files);
    assertEquals(List.of("fifochan.interop.Ping", "fifochan.interop.Pong"), List.copyOf(types.keySet()));
    // The loaded schema reads what the generated classes write.
    Ping ping = Ping.newBuilder().setSeq(42).setText("x").build();
    Message m = ProtobufCodec.dynamic(types.get("fifochan.interop.Ping"))
        .decode("fifochan.interop.Ping", ByteBuffer.wrap(ping.toByteArray()));
    assertEquals(ping.toByteString(), m.toByteString());
  }

  @Test
  void resolvesDependenciesListedAfterTheFilesThatImportThem() {
    FileDescriptorSet set = FileDescriptorSet.newBuilder().addFile(top()).addFile(base()).build();
    List<FileDescriptor> files = DescriptorSets.resolve(set);
    assertEquals(List.of("b/top.proto", "a/base.proto"), files.stream().map(FileDescriptor::getName).toList());
    Map<String, Descriptor> types = DescriptorSets.messageTypes(files);
    assertEquals(List.of("b.Top", "a.Base", "a.Base.Inner"), List.copyOf(types.keySet()));
    // The import resolved to the very descriptor built for a/base.proto.
    assertSame(types.get("a.Base"), types.get("b.Top").findFieldByName("base").getMessageType());
  }

  @Test
  void dynamicMessagesOfResolvedTypesRoundTrip() throws IOException {
    Map<String, Descriptor> types = DescriptorSets.messageTypes(
        DescriptorSets.resolve(FileDescriptorSet.newBuilder().addFile(top()).addFile(base()).build()));
    Descriptor topType = types.get("b.Top");
    Descriptor baseType = types.get("a.Base");
    DynamicMessage msg = DynamicMessage.newBuilder(topType)
        .setField(topType.findFieldByName("base"),
            DynamicMessage.newBuilder(baseType).setField(baseType.findFieldByName("id"), 9L).build())
        .build();
    ProtobufCodec<Message> codec = ProtobufCodec.dynamic(topType);
    assertEquals(msg, codec.decode("b.Top", ByteBuffer.wrap(TestMessages.encode(codec, msg))));
  }

  @Test
  void missingDependencyIsNamed() {
    FileDescriptorSet set = FileDescriptorSet.newBuilder().addFile(top()).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DescriptorSets.resolve(set));
    assertTrue(e.getMessage().contains("a/base.proto") && e.getMessage().contains("--include_imports"), e.getMessage());
  }

  @Test
  void wellKnownTypesNeedNotBeInTheSet() {
    FileDescriptorProto withTimestamp = FileDescriptorProto.newBuilder().setName("c/event.proto").setPackage("c")
        .setSyntax("proto3").addDependency("google/protobuf/timestamp.proto")
        .addMessageType(DescriptorProto.newBuilder().setName("Event")
            .addField(messageField("at", 1, ".google.protobuf.Timestamp")))
        .build();
    Descriptor event = DescriptorSets.messageTypes(
        DescriptorSets.resolve(FileDescriptorSet.newBuilder().addFile(withTimestamp).build())).get("c.Event");
    assertSame(Timestamp.getDescriptor(), event.findFieldByName("at").getMessageType());
  }

  @Test
  void importCycleIsReported() {
    FileDescriptorProto x = FileDescriptorProto.newBuilder().setName("x.proto").addDependency("y.proto").build();
    FileDescriptorProto y = FileDescriptorProto.newBuilder().setName("y.proto").addDependency("x.proto").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DescriptorSets.resolve(FileDescriptorSet.newBuilder().addFile(x).addFile(y).build()));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void duplicateFileNamesAndInvalidFilesAreReported() {
    assertThrows(IllegalArgumentException.class,
        () -> DescriptorSets.resolve(FileDescriptorSet.newBuilder().addFile(base()).addFile(base()).build()));
    FileDescriptorProto badType = FileDescriptorProto.newBuilder().setName("bad.proto").setPackage("bad")
        .addMessageType(DescriptorProto.newBuilder().setName("M").addField(messageField("f", 1, ".nowhere.X")))
        .build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DescriptorSets.resolve(FileDescriptorSet.newBuilder().addFile(badType).build()));
    assertTrue(e.getMessage().contains("bad.proto"), e.getMessage());
  }

  @Test
  void fileThatIsNotADescriptorSetIsAnIOException(@TempDir Path dir) throws IOException {
    Path junk = Files.write(dir.resolve("junk.desc"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    assertThrows(IOException.class, () -> DescriptorSets.load(junk));
    assertThrows(NoSuchFileException.class, () -> DescriptorSets.load(dir.resolve("absent.desc")));
  }

  @Test
  void setWrittenToAFileLoadsBack(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("set.desc"),
        FileDescriptorSet.newBuilder().addFile(top()).addFile(base()).build().toByteArray());
    assertEquals(2, DescriptorSets.load(file).size());
  }
}
