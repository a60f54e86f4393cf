package dev.fifochan.protobuf;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.PayloadSink;

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
    try {
      return Codecs.encodeToBytes(codec, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A payload sink whose {@code room} is a region of {@code buffer} that starts at {@code at} (a
   * direct or heap buffer, perhaps a slice): what a sender's frame buffer hands a codec.
   */
  static final class RegionSink extends PayloadSink {
    final ByteBuffer buffer;
    final int start;

    RegionSink(ByteBuffer buffer, int at) {
      this.buffer = buffer;
      this.start = at;
      buffer.position(at);
    }

    @Override
    public ByteBuffer room(int bytes) {
      if (buffer.remaining() < bytes) {
        throw new IllegalStateException("test buffer too small");
      }
      return buffer;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buffer.put(b, off, len);
    }

    @Override
    public void write(ByteBuffer src) {
      buffer.put(src);
    }

    @Override
    public java.io.OutputStream asOutputStream() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int written() {
      return buffer.position() - start;
    }

    byte[] payload() {
      ByteBuffer d = buffer.duplicate();
      d.limit(buffer.position()).position(start);
      byte[] b = new byte[d.remaining()];
      d.get(b);
      return b;
    }
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
