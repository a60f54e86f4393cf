package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.CodecRegistry;
import dev.fifochan.Codecs;
import dev.fifochan.DecodeException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.UnknownTypeException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The codec behind the api's real Sender and Receiver, over an in-process pipe. */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SenderReceiverJsonTest {
  record Order(long id, String item, int qty) {}

  record Cancel(long id, String reason) {}

  interface Body<T> {
    void run(Sender<T> tx) throws Exception;
  }

  private static <T> CompletableFuture<Void> send(Pipe pipe, Codec<T> codec, ChannelConfig config, Body<T> body) {
    return CompletableFuture.runAsync(() -> {
      try (Sender<T> tx = Sender.over(pipe.sink(), codec, config)) {
        body.run(tx);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
  }

  @Test
  void taggedTypesTravelThroughSenderAndReceiver() throws Exception {
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).register("cancel", Cancel.class).build();
    List<Object> sent = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      sent.add(i % 3 == 0 ? new Cancel(i, "r" + i) : new Order(i, "item-" + "x".repeat(i % 200), i));
    }
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sender = send(pipe, codec, ChannelConfig.builder().checksum(true).build(), tx -> {
      for (Object o : sent) {
        tx.send(o);
      }
    });
    List<Object> got = new ArrayList<>();
    try (Receiver<Object> rx = Receiver.over(pipe.source(), codec, ChannelConfig.defaults())) {
      for (Object o; (o = rx.receive()) != null; ) {
        got.add(o);
        assertTrue(got.size() <= sent.size(), "runaway receiver");
      }
    }
    sender.get(10, TimeUnit.SECONDS);
    assertEquals(sent, got);
  }

  @Test
  void treeReceiverReadsATypedSendersStream() throws Exception {
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sender = send(pipe, JsonCodec.of(Order.class), ChannelConfig.defaults(),
        tx -> tx.send(new Order(1, "book", 2)));
    try (Receiver<JsonNode> rx = Receiver.over(pipe.source(), JsonCodec.tree(), ChannelConfig.defaults())) {
      JsonNode node = rx.receive();
      assertEquals("book", node.get("item").asText());
      assertNull(rx.receive());
    }
    sender.get(10, TimeUnit.SECONDS);
  }

  @Test
  void malformedAndUnknownFramesAreRecoverableAndCarryTheirStreamOffset() throws Exception {
    // A "json" writer that sends arbitrary text under the tags it likes.
    CodecRegistry raw = CodecRegistry.builder("json")
        .register("order", String.class, Codecs.string())
        .register("refund", byte[].class, Codecs.bytes())
        .build();
    Pipe pipe = Pipe.open();
    CompletableFuture<Void> sender = send(pipe, raw, ChannelConfig.defaults(), tx -> {
      tx.send("{\"id\":1,\"item\":\"a\",\"qty\":1}");
      tx.send("{\"id\":2,");
      tx.send("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      tx.send("{\"id\":3,\"item\":\"c\",\"qty\":3}");
    });
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).build();
    try (Receiver<Object> rx = Receiver.over(pipe.source(), codec, ChannelConfig.defaults())) {
      assertEquals(new Order(1, "a", 1), rx.receive());
      DecodeException bad = assertThrows(DecodeException.class, rx::receive);
      assertEquals("order", bad.tag());
      assertEquals("{\"id\":2,", new String(bad.payload(), java.nio.charset.StandardCharsets.UTF_8));
      assertInstanceOf(JacksonException.class, bad.getCause());
      assertTrue(bad.position() > 0);
      UnknownTypeException unknown = assertThrows(UnknownTypeException.class, rx::receive);
      assertEquals("refund", unknown.tag());
      assertTrue(unknown.position() > bad.position());
      assertEquals(new Order(3, "c", 3), rx.receive());
      assertNull(rx.receive());
    }
    sender.get(10, TimeUnit.SECONDS);
  }

  record Stamped(long id, java.time.Instant at) {}

  /**
   * Issue 9 finding 6 with the codec it names: Jackson cannot encode a java.time.Instant without its
   * module (JsonCodec.of(type) now registers it; a caller's plain mapper still lacks it). With the documented abort idiom the reader gets the writer's failure as
   * StreamAbortedException carrying the reason, after every message sent before it.
   */
  @Test
  void aJsonCodecThatCannotEncodeAnInstantAbortsTheStreamForTheReader() throws Exception {
    Pipe pipe = Pipe.open();
    CompletableFuture<String> writer = CompletableFuture.supplyAsync(() -> {
      // a plain mapper, without the java.time module that JsonCodec.of(type) registers
      JsonCodec<Stamped> plain = JsonCodec.of(Stamped.class, new com.fasterxml.jackson.databind.ObjectMapper());
      try (Sender<Stamped> tx = Sender.over(pipe.sink(), plain, ChannelConfig.defaults())) {
        try {
          tx.send(new Stamped(1, null));
          tx.send(new Stamped(2, java.time.Instant.EPOCH));
          return "sent";
        } catch (Exception e) {
          tx.abort(e.toString());
          return e.toString();
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (Receiver<Stamped> rx = Receiver.over(pipe.source(), JsonCodec.of(Stamped.class), ChannelConfig.defaults())) {
      assertEquals(new Stamped(1, null), rx.receive());
      dev.fifochan.StreamAbortedException e = assertThrows(dev.fifochan.StreamAbortedException.class, rx::receive);
      String failure = writer.get(10, TimeUnit.SECONDS);
      assertTrue(failure.startsWith(dev.fifochan.EncodeException.class.getName()), failure);
      assertEquals(failure.length() > 1024 ? failure.substring(0, 1024) : failure, e.reason());
    }
  }
}
