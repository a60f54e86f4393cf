package dev.fifochan.protobuf;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import dev.fifochan.Codec;

/** Shared helpers: buffers of every kind, a proto2 schema built at run time, the protoc-written descriptor set. */
final class TestMessages {
  private TestMessages() {}

  static ByteBuffer directReadOnly(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b.asReadOnlyBuffer();
  }

  /** A heap buffer whose payload starts at a nonzero array offset and a nonzero position. */
  static ByteBuffer heapSlice(byte[] bytes) {
    byte[] backing = new byte[bytes.length + 10];
    System.arraycopy(bytes, 0, backing, 7, bytes.length);
    ByteBuffer slice = ByteBuffer.wrap(backing, 3, backing.length - 3).slice();
    slice.position(4).limit(4 + bytes.length);
    return slice;
  }

  static <T> byte[] encode(Codec<T> codec, T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      codec.encode(value, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] bytes(Message m) {
    return m.toByteArray();
  }

  /** The descriptor set protoc wrote for testdata/proto/interop.proto (a test resource). */
  static Path interopDescriptorSet() {
    try {
      return Path.of(TestMessages.class.getResource("/interop.desc").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code syntax = "proto2"; package t; message Req { required int32 id = 1; }} built at run time. */
  static Descriptor proto2WithRequiredField() {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("t/req.proto").setPackage("t").setSyntax("proto2")
        .addMessageType(DescriptorProto.newBuilder().setName("Req")
            .addField(FieldDescriptorProto.newBuilder().setName("id").setNumber(1)
                .setLabel(FieldDescriptorProto.Label.LABEL_REQUIRED)
                .setType(FieldDescriptorProto.Type.TYPE_INT32)))
        .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Req");
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }
}
