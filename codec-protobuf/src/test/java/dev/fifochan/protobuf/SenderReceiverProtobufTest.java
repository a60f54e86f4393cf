package dev.fifochan.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.CodecRegistry;
import dev.fifochan.Codecs;
import dev.fifochan.DecodeException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The codec behind the api's real Sender and Receiver, over an in-process pipe. */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SenderReceiverProtobufTest {

  interface Body {
    void run(Sender<Message> tx) throws Exception;
  }

  private static <T> List<Object> exchange(Codec<Message> sending, Codec<T> receiving, Body body) throws Exception {
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
      try (Sender<Message> tx = Sender.over(pipe.sink(), sending, ChannelConfig.defaults())) {
        body.run(tx);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    List<Object> got = new ArrayList<>();
    try (Receiver<T> rx = Receiver.over(pipe.source(), receiving, ChannelConfig.defaults())) {
      while (true) {
        try {
          T value = rx.receive();
          if (value == null) {
            break;
          }
          got.add(value);
        } catch (DecodeException e) {
          got.add(e);
        }
        assertTrue(got.size() < 10_000, "runaway receiver");
      }
    }
    sender.get(10, TimeUnit.SECONDS);
    return got;
  }

  @Test
  void generatedMessagesTravelTaggedByFullName() throws Exception {
    ProtobufCodec<Message> codec = ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      sent.add(i % 2 == 0 ? Ping.newBuilder().setSeq(i).setText("t" + i).build()
          : Pong.newBuilder().setSeq(i).setPayload(ByteString.copyFrom(new byte[i])).build());
    }
    List<Object> got = exchange(codec, codec, tx -> {
      for (Message m : sent) {
        tx.send(m);
      }
    });
    assertEquals(sent, got);
  }

  @Test
  void dynamicCodecFromTheProviderReadsWhatGeneratedCodeSent() throws Exception {
    Codec<?> dynamic = Codecs.byName("protobuf", Map.of(
        "descriptorSet", TestMessages.interopDescriptorSet().toString(),
        "type", "fifochan.interop.Ping,fifochan.interop.Pong"));
    Ping ping = Ping.newBuilder().setSeq(7).setText("hi").build();
    List<Object> got = exchange(ProtobufCodec.registry(Ping.getDefaultInstance()), dynamic, tx -> tx.send(ping));
    assertEquals(1, got.size());
    assertEquals(ping.toByteString(), assertInstanceOf(DynamicMessage.class, got.get(0)).toByteString());
  }

  @Test
  void badAndUnknownFramesAreRecoverableAndCarryTheirStreamOffset() throws Exception {
    // A "protobuf" writer that puts raw bytes under the tags it likes.
    CodecRegistry raw = CodecRegistry.builder("protobuf")
        .register("fifochan.interop.Ping", byte[].class, Codecs.bytes())
        .register("fifochan.interop.Pang", String.class, Codecs.string())
        .build();
    Ping before = Ping.newBuilder().setSeq(1).build();
    Ping after = Ping.newBuilder().setSeq(2).build();
    byte[] garbage = {0x12, 0x05, 0x41};
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
      try (Sender<Object> tx = Sender.over(pipe.sink(), raw, ChannelConfig.defaults())) {
        tx.send(before.toByteArray());
        tx.send(garbage);
        tx.send("who knows");
        tx.send(after.toByteArray());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (Receiver<Ping> rx = Receiver.over(pipe.source(), ProtobufCodec.of(Ping.class), ChannelConfig.defaults())) {
      assertEquals(before, rx.receive());
      DecodeException bad = assertThrows(DecodeException.class, rx::receive);
      assertEquals("fifochan.interop.Ping", bad.tag());
      assertArrayEquals(garbage, bad.payload());
      assertInstanceOf(InvalidProtocolBufferException.class, bad.getCause());
      assertTrue(bad.position() > 0);
      UnknownTypeException unknown = assertThrows(UnknownTypeException.class, rx::receive);
      assertEquals("fifochan.interop.Pang", unknown.tag());
      assertTrue(unknown.position() > bad.position());
      assertEquals(after, rx.receive());
      assertNull(rx.receive());
    }
    sender.get(10, TimeUnit.SECONDS);
  }
}
