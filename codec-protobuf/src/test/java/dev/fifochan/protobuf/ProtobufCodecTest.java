package dev.fifochan.protobuf;

import static dev.fifochan.protobuf.TestMessages.directReadOnly;
import static dev.fifochan.protobuf.TestMessages.encode;
import static dev.fifochan.protobuf.TestMessages.heapSlice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.fifochan.DecodeException;
import dev.fifochan.EncodeException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProtobufCodecTest {
  private static final String PING = "fifochan.interop.Ping";
  private static final String PONG = "fifochan.interop.Pong";
  private static final Ping HELLO = Ping.newBuilder().setSeq(1).setText("hello").build();
  private static final Pong REPLY = Pong.newBuilder().setSeq(1).setPayload(ByteString.copyFrom(new byte[] {0, 1, 2})).build();

  @Test
  void singleTypeCodecRoundTripsAndTagsWithTheFullName() throws IOException {
    ProtobufCodec<Ping> codec = ProtobufCodec.of(Ping.class);
    assertEquals("protobuf", codec.name());
    assertTrue(codec.accepts("protobuf"));
    assertFalse(codec.accepts("json"));
    assertEquals(PING, codec.tagOf(HELLO));
    assertEquals(Set.of(PING), codec.typeNames());
    byte[] bytes = encode(codec, HELLO);
    assertArrayEquals(HELLO.toByteArray(), bytes);
    assertEquals(HELLO, codec.decode(PING, ByteBuffer.wrap(bytes)));
  }

  @Test
  void codecOfAClassAndOfItsDefaultInstanceBehaveAlike() throws IOException {
    ProtobufCodec<Pong> codec = ProtobufCodec.of(Pong.getDefaultInstance());
    assertEquals(PONG, codec.tagOf(REPLY));
    assertEquals(REPLY, codec.decode(PONG, ByteBuffer.wrap(encode(codec, REPLY))));
  }

  @Test
  void classWithoutDefaultInstanceIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ProtobufCodec.of(Message.class));
  }

  @Test
  void singleTypeCodecReadsUntaggedFrames() throws IOException {
    assertEquals(HELLO, ProtobufCodec.of(Ping.class).decode("", ByteBuffer.wrap(HELLO.toByteArray())));
  }

  @Test
  void singleTypeCodecRejectsAnotherTypesTag() {
    byte[] raw = REPLY.toByteArray();
    UnknownTypeException e = assertThrows(UnknownTypeException.class,
        () -> ProtobufCodec.of(Ping.class).decode(PONG, ByteBuffer.wrap(raw)));
    assertEquals(PONG, e.tag());
    assertArrayEquals(raw, e.payload());
    assertInstanceOf(dev.fifochan.MessageException.class, e, "a per-message failure");
  }

  @Test
  void registryRoundTripsEachTypeByFullName() throws IOException {
    ProtobufCodec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    assertEquals(List.of(PING, PONG), List.copyOf(codec.typeNames()));
    for (Message m : List.of(HELLO, REPLY, Ping.getDefaultInstance(), Pong.getDefaultInstance())) {
      String tag = codec.tagOf(m);
      assertEquals(m.getDescriptorForType().getFullName(), tag);
      Message back = codec.decode(tag, ByteBuffer.wrap(encode(codec, m)));
      assertEquals(m, back);
      assertEquals(m.getClass(), back.getClass());
    }
  }

  @Test
  void registryRejectsUnknownAndMissingTagsWithTheRawBytes() {
    ProtobufCodec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    byte[] raw = HELLO.toByteArray();
    UnknownTypeException unknown = assertThrows(UnknownTypeException.class,
        () -> codec.decode("fifochan.interop.Pang", directReadOnly(raw)));
    assertEquals("fifochan.interop.Pang", unknown.tag());
    assertArrayEquals(raw, unknown.payload());
    // Two types: an untagged frame could be either.
    UnknownTypeException untagged = assertThrows(UnknownTypeException.class,
        () -> codec.decode("", ByteBuffer.wrap(raw)));
    assertEquals("", untagged.tag());
  }

  @Test
  void registryRefusesToEncodeAnUnregisteredType() {
    ProtobufCodec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance());
    Timestamp t = Timestamp.newBuilder().setSeconds(5).build();
    assertThrows(IllegalArgumentException.class, () -> codec.tagOf(t));
    assertThrows(IllegalArgumentException.class, () -> codec.encode(t, new TestMessages.RegionSink(ByteBuffer.allocate(64), 0)));
  }

  @Test
  void registryRejectsDuplicatesAndEmptiness() {
    assertThrows(IllegalArgumentException.class,
        () -> ProtobufCodec.registry(Ping.getDefaultInstance(), HELLO));
    assertThrows(IllegalArgumentException.class, ProtobufCodec::registry);
    assertThrows(IllegalArgumentException.class, () -> ProtobufCodec.dynamic());
  }

  @Test
  void dynamicCodecDecodesGeneratedBytesAndEncodesTheSameBytes() throws IOException {
    ProtobufCodec<Message> codec = ProtobufCodec.dynamic(Ping.getDescriptor(), Pong.getDescriptor());
    Message decoded = codec.decode(PING, ByteBuffer.wrap(HELLO.toByteArray()));
    DynamicMessage dynamic = assertInstanceOf(DynamicMessage.class, decoded);
    Descriptor d = dynamic.getDescriptorForType();
    assertEquals(1L, dynamic.getField(d.findFieldByName("seq")));
    assertEquals("hello", dynamic.getField(d.findFieldByName("text")));
    assertArrayEquals(HELLO.toByteArray(), encode(codec, decoded));
    // It also encodes generated messages of a known type.
    assertEquals(PING, codec.tagOf(HELLO));
    assertEquals(HELLO, Ping.parseFrom(encode(codec, HELLO)));
  }

  @Test
  void dynamicCodecWithOneTypeReadsUntaggedFrames() throws IOException {
    Message m = ProtobufCodec.dynamic(Pong.getDescriptor()).decode("", ByteBuffer.wrap(REPLY.toByteArray()));
    assertEquals(REPLY, Pong.parseFrom(m.toByteString()));
  }

  @Test
  void garbagePayloadIsADecodeExceptionWithTagPayloadAndCause() {
    // Field 2 (length-delimited) announces 5 bytes but only one follows.
    byte[] garbage = {0x12, 0x05, 0x41};
    for (ByteBuffer payload : List.of(ByteBuffer.wrap(garbage), directReadOnly(garbage))) {
      DecodeException e = assertThrows(DecodeException.class, () -> ProtobufCodec.of(Ping.class).decode(PING, payload));
      assertEquals(PING, e.tag());
      assertArrayEquals(garbage, e.payload());
      assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
      assertInstanceOf(dev.fifochan.MessageException.class, e, "a per-message failure");
      assertFalse(e instanceof UnknownTypeException);
    }
  }

  @Test
  void decodeFailureOfAnUntaggedFrameNamesTheType() {
    DecodeException e = assertThrows(DecodeException.class,
        () -> ProtobufCodec.of(Ping.class).decode("", ByteBuffer.wrap(new byte[] {0x12, 0x05})));
    assertEquals("", e.tag());
    assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
  }

  @Test
  void invalidWireTypeIsADecodeException() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThrows(DecodeException.class, () -> ProtobufCodec.dynamic(Ping.getDescriptor()).decode(PING, directReadOnly(garbage)));
  }

  @Test
  void invalidUtf8InAProto3StringIsADecodeException() {
    byte[] bad = {0x12, 0x02, (byte) 0xc3, 0x28};
    assertThrows(DecodeException.class, () -> ProtobufCodec.of(Ping.class).decode(PING, ByteBuffer.wrap(bad)));
  }

  @Test
  void decodesFromADirectBufferWithoutKeepingAReferenceToIt() throws IOException {
    byte[] bytes = REPLY.toByteArray();
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 16);
    direct.position(9);
    direct.put(bytes);
    direct.flip().position(9);
    Pong decoded = ProtobufCodec.of(Pong.class).decode(PONG, direct.asReadOnlyBuffer());
    // The receiver reuses its buffer after the call.
    direct.clear();
    while (direct.hasRemaining()) {
      direct.put((byte) 0x55);
    }
    assertEquals(REPLY, decoded);
    assertEquals(ByteString.copyFrom(new byte[] {0, 1, 2}), decoded.getPayload());
  }

  @Test
  void decodesFromAHeapSliceAndAReadOnlyHeapBuffer() throws IOException {
    ByteBuffer slice = heapSlice(HELLO.toByteArray());
    assertTrue(slice.arrayOffset() > 0 && slice.position() > 0);
    assertEquals(HELLO, ProtobufCodec.of(Ping.class).decode(PING, slice));
    ByteBuffer ro = ByteBuffer.wrap(HELLO.toByteArray()).asReadOnlyBuffer();
    assertEquals(HELLO, ProtobufCodec.of(Ping.class).decode(PING, ro));
  }

  @Test
  void decodeLeavesTheBufferPositionForTheCaller() throws IOException {
    ByteBuffer payload = directReadOnly(HELLO.toByteArray());
    ProtobufCodec.of(Ping.class).decode(PING, payload);
    assertEquals(0, payload.position());
  }

  @Test
  void largeMessagesRoundTrip() throws IOException {
    byte[] big = new byte[300_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    Pong pong = Pong.newBuilder().setSeq(Long.MIN_VALUE).setPayload(ByteString.copyFrom(big)).build();
    ProtobufCodec<Pong> codec = ProtobufCodec.of(Pong.class);
    byte[] bytes = encode(codec, pong);
    assertArrayEquals(pong.toByteArray(), bytes);
    assertEquals(pong, codec.decode(PONG, directReadOnly(bytes)));
  }

  @Test
  void encodeWritesIntoTheRoomOfADirectBufferAndAdvancesItsPosition() throws IOException {
    Pong big = Pong.newBuilder().setSeq(42).setPayload(ByteString.copyFrom(new byte[5000])).build();
    for (Message m : List.of(HELLO, REPLY, big)) {
      ByteBuffer direct = ByteBuffer.allocateDirect(8192 + 256);
      direct.position(100).limit(100 + 8192);
      TestMessages.RegionSink sink = new TestMessages.RegionSink(direct.slice(), 37); // a slice, not at 0
      ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance()).encode(m, sink);
      assertEquals(37 + m.getSerializedSize(), sink.buffer.position(), "position advanced past the message");
      assertEquals(m.getSerializedSize(), sink.written());
      assertArrayEquals(m.toByteArray(), sink.payload());
    }
  }

  @Test
  void encodeWritesIntoTheRoomOfAHeapSliceAndAdvancesItsPosition() throws IOException {
    ByteBuffer heap = ByteBuffer.wrap(new byte[300], 20, 200).slice(); // array offset 20
    TestMessages.RegionSink sink = new TestMessages.RegionSink(heap, 5);
    ProtobufCodec.of(Ping.class).encode(HELLO, sink);
    ProtobufCodec.of(Ping.class).encode(HELLO, sink); // a second message right after the first
    assertEquals(5 + 2 * HELLO.getSerializedSize(), heap.position());
    byte[] twice = new byte[2 * HELLO.getSerializedSize()];
    System.arraycopy(HELLO.toByteArray(), 0, twice, 0, HELLO.getSerializedSize());
    System.arraycopy(HELLO.toByteArray(), 0, twice, HELLO.getSerializedSize(), HELLO.getSerializedSize());
    assertArrayEquals(twice, sink.payload());
  }

  @Test
  void missingRequiredFieldsFailEncodeAndDecode() throws IOException {
    Descriptor req = TestMessages.proto2WithRequiredField();
    ProtobufCodec<Message> codec = ProtobufCodec.dynamic(req);
    DynamicMessage partial = DynamicMessage.newBuilder(req).buildPartial();
    EncodeException e = assertThrows(EncodeException.class,
        () -> codec.encode(partial, new TestMessages.RegionSink(ByteBuffer.allocate(64), 0)));
    assertTrue(e.getMessage().contains("id"), e.getMessage());
    assertThrows(DecodeException.class, () -> codec.decode("t.Req", ByteBuffer.allocate(0)));
    DynamicMessage complete = DynamicMessage.newBuilder(req).setField(req.findFieldByName("id"), 7).build();
    assertEquals(complete, codec.decode("t.Req", ByteBuffer.wrap(encode(codec, complete))));
  }
}
