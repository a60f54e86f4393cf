package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.DecodeException;
import dev.fifochan.MessageException;
import dev.fifochan.EncodeException;
import dev.fifochan.UnknownTypeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  record Order(long orderId, String item, int qty) {}

  record Cancel(long orderId, String reason) {}

  /** A mutable bean, the other shape Jackson maps. */
  public static final class Account {
    private String owner;
    private List<String> tags;

    public String getOwner() {
      return owner;
    }

    public void setOwner(String owner) {
      this.owner = owner;
    }

    public List<String> getTags() {
      return tags;
    }

    public void setTags(List<String> tags) {
      this.tags = tags;
    }
  }

  private static final ObjectMapper SNAKE = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .build();

  private static byte[] encode(Codec<Object> codec, Object value) throws IOException {
    return Codecs.encodeToBytes(codec, value);
  }

  private static <T> byte[] encodeWith(Codec<T> codec, T value) throws IOException {
    return Codecs.encodeToBytes(codec, value);
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static ByteBuffer heap(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuffer directReadOnly(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b.asReadOnlyBuffer();
  }

  @Test
  void recordRoundTripsWithTheCallersMapper() throws IOException {
    JsonCodec<Order> codec = JsonCodec.of(Order.class, SNAKE);
    byte[] bytes = encodeWith(codec, new Order(7, "book", 2));
    assertEquals("{\"order_id\":7,\"item\":\"book\",\"qty\":2}", utf8(bytes));
    assertEquals(new Order(7, "book", 2), codec.decode("", ByteBuffer.wrap(bytes)));
  }

  @Test
  void beanRoundTripsWithTheDefaultMapper() throws IOException {
    JsonCodec<Account> codec = JsonCodec.of(Account.class);
    Account a = new Account();
    a.setOwner("ada");
    a.setTags(List.of("x", "y"));
    byte[] bytes = encodeWith(codec, a);
    Account back = codec.decode("", ByteBuffer.wrap(bytes));
    assertEquals("ada", back.getOwner());
    assertEquals(List.of("x", "y"), back.getTags());
  }

  @Test
  void treeRoundTripsAnyJsonValue() throws IOException {
    JsonCodec<JsonNode> codec = JsonCodec.tree();
    for (String json : List.of("{\"a\":[1,2.5,null,true,\"x\"],\"b\":{}}", "[]", "\"s\"", "42", "true")) {
      JsonNode node = codec.decode("", heap(json));
      assertEquals(json, utf8(encodeWith(codec, node)), json);
    }
  }

  @Test
  void treeDecodesJsonNullAsNullNode() throws IOException {
    assertSame(NullNode.getInstance(), JsonCodec.tree().decode("", heap("null")));
  }

  @Test
  void jsonNullForAnObjectTypeIsADecodeFailureNotANullValue() {
    DecodeException e = assertThrows(DecodeException.class,
        () -> JsonCodec.of(Order.class).decode("o", heap(" null ")));
    assertEquals("o", e.tag());
    assertEquals(" null ", utf8(e.payload()));
  }

  @Test
  void nameIsJsonAndSingleTypeCodecWritesNoTag() {
    JsonCodec<Order> codec = JsonCodec.of(Order.class);
    assertEquals("json", codec.name());
    assertTrue(codec.accepts("json"));
    assertFalse(codec.accepts("string"));
    assertEquals("", codec.tagOf(new Order(1, "a", 1)));
    assertEquals(Order.class, codec.type());
  }

  @Test
  void singleTypeCodecIgnoresTheFrameTag() throws IOException {
    assertEquals(new Order(1, "a", 1),
        JsonCodec.of(Order.class).decode("whatever", heap("{\"orderId\":1,\"item\":\"a\",\"qty\":1}")));
  }

  @Test
  void multiTypeCodecTagsByClassAndDecodesByTag() throws IOException {
    Codec<Object> codec = JsonCodec.builder().mapper(SNAKE)
        .register("order", Order.class)
        .register("cancel", Cancel.class)
        .build();
    assertEquals("json", codec.name());
    Order order = new Order(1, "book", 2);
    Cancel cancel = new Cancel(1, "changed mind");
    assertEquals("order", codec.tagOf(order));
    assertEquals("cancel", codec.tagOf(cancel));

    byte[] orderBytes = encode(codec, order);
    byte[] cancelBytes = encode(codec, cancel);
    assertEquals("{\"order_id\":1,\"reason\":\"changed mind\"}", utf8(cancelBytes));
    assertEquals(order, codec.decode("order", ByteBuffer.wrap(orderBytes)));
    assertEquals(cancel, codec.decode("cancel", ByteBuffer.wrap(cancelBytes)));
  }

  @Test
  void multiTypeCodecDecodesByTagNotByShape() {
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).register("cancel", Cancel.class).build();
    // A cancel's JSON under the tag "order" is decoded as an Order, whose unknown property fails.
    DecodeException e = assertThrows(DecodeException.class,
        () -> codec.decode("order", heap("{\"orderId\":1,\"reason\":\"r\"}")));
    assertEquals("order", e.tag());
    assertInstanceOf(JacksonException.class, e.getCause());
  }

  @Test
  void multiTypeCodecRejectsUnregisteredClassOnEncode() {
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).build();
    assertThrows(IllegalArgumentException.class, () -> codec.tagOf("a string"));
    assertThrows(IllegalArgumentException.class, () -> encode(codec, "a string"));
  }

  @Test
  void unknownTagThrowsUnknownTypeExceptionWithTagAndRawBytes() {
    Codec<Object> codec = JsonCodec.builder().register("order", Order.class).build();
    byte[] raw = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    UnknownTypeException e = assertThrows(UnknownTypeException.class,
        () -> codec.decode("refund", directReadOnly(raw)));
    assertEquals("refund", e.tag());
    assertArrayEquals(raw, e.payload());
    assertInstanceOf(MessageException.class, e, "a per-message failure");
  }

  @Test
  void builderRejectsDuplicatesAndEmptyRegistries() {
    assertThrows(IllegalArgumentException.class,
        () -> JsonCodec.builder().register("a", Order.class).register("a", Cancel.class));
    assertThrows(IllegalArgumentException.class,
        () -> JsonCodec.builder().register("a", Order.class).register("b", Order.class));
    assertThrows(IllegalArgumentException.class,
        () -> JsonCodec.builder().register("t".repeat(256), Order.class));
    assertThrows(IllegalStateException.class, () -> JsonCodec.builder().build());
  }

  @Test
  void malformedJsonThrowsDecodeExceptionWithTagPayloadAndCause() {
    String bad = "{\"orderId\":1,";
    DecodeException e = assertThrows(DecodeException.class,
        () -> JsonCodec.of(Order.class).decode("order", heap(bad)));
    assertEquals("order", e.tag());
    assertEquals(bad, utf8(e.payload()));
    assertInstanceOf(JacksonException.class, e.getCause());
    assertInstanceOf(MessageException.class, e, "a per-message failure");
    assertTrue(e.getMessage().contains("tag 'order'"), e.getMessage());
  }

  @Test
  void malformedJsonInADirectBufferReportsTheWholePayload() {
    byte[] bad = "[1, 2, oops]".getBytes(StandardCharsets.UTF_8);
    DecodeException e = assertThrows(DecodeException.class,
        () -> JsonCodec.tree().decode("", directReadOnly(bad)));
    assertArrayEquals(bad, e.payload());
  }

  @Test
  void trailingDataAfterTheValueIsADecodeFailure() {
    assertThrows(DecodeException.class, () -> JsonCodec.tree().decode("", heap("{\"a\":1} {\"a\":2}")));
    assertThrows(DecodeException.class, () -> JsonCodec.tree().decode("", directReadOnly("1 x".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void emptyPayloadIsADecodeFailure() {
    assertThrows(DecodeException.class, () -> JsonCodec.tree().decode("", ByteBuffer.allocate(0)));
    assertThrows(DecodeException.class, () -> JsonCodec.of(Order.class).decode("", ByteBuffer.allocateDirect(0)));
  }

  @Test
  void decodesFromADirectReadOnlyBuffer() throws IOException {
    byte[] json = "{\"orderId\":9,\"item\":\"pen\",\"qty\":3}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer direct = ByteBuffer.allocateDirect(json.length + 8);
    direct.position(5);
    direct.put(json);
    direct.flip().position(5);
    ByteBuffer payload = direct.asReadOnlyBuffer();
    assertTrue(payload.isDirect());
    assertFalse(payload.hasArray());
    assertEquals(new Order(9, "pen", 3), JsonCodec.of(Order.class).decode("", payload));
  }

  @Test
  void decodesFromAHeapSliceWithNonZeroArrayOffsetAndPosition() throws IOException {
    String framed = "XXXXXX{\"orderId\":4,\"item\":\"cup\",\"qty\":1}YYYY";
    ByteBuffer slice = ByteBuffer.wrap(framed.getBytes(StandardCharsets.UTF_8), 2, framed.length() - 2).slice();
    slice.position(4).limit(slice.limit() - 4);
    assertEquals(2, slice.arrayOffset());
    assertEquals(new Order(4, "cup", 1), JsonCodec.of(Order.class).decode("", slice));
  }

  @Test
  void decodesFromAReadOnlyHeapBuffer() throws IOException {
    ByteBuffer ro = heap("[1,2]").asReadOnlyBuffer();
    assertFalse(ro.hasArray());
    assertEquals(2, JsonCodec.tree().decode("", ro).size());
  }

  @Test
  void decodeDoesNotReadPastTheLimit() throws IOException {
    ByteBuffer b = heap("{\"a\":1}garbage");
    b.limit(7);
    assertEquals(1, JsonCodec.tree().decode("", b).get("a").intValue());
    ByteBuffer d = directReadOnly("{\"a\":1}garbage".getBytes(StandardCharsets.UTF_8));
    d.limit(7);
    assertEquals(1, JsonCodec.tree().decode("", d).get("a").intValue());
  }

  /** Records what the codec does to the stream it is handed. */
  private static final class WatchedStream extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean closed;
    int flushes;

    @Override
    public void write(int b) {
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void encodeNeitherClosesNorFlushesTheStream() throws IOException {
    WatchedStream out = new WatchedStream();
    JsonCodec<Order> codec = JsonCodec.of(Order.class);
    codec.encode(new Order(1, "a", 1), StreamSink.of(out));
    codec.encode(new Order(2, "b", 2), StreamSink.of(out));
    assertFalse(out.closed);
    assertEquals(0, out.flushes);
    assertEquals("{\"orderId\":1,\"item\":\"a\",\"qty\":1}{\"orderId\":2,\"item\":\"b\",\"qty\":2}",
        utf8(out.bytes.toByteArray()));
  }

  @Test
  void encodeDoesNotCloseEvenWhenTheCallersMapperWouldAutoClose() throws IOException {
    WatchedStream out = new WatchedStream();
    ObjectMapper closing = new ObjectMapper(); // AUTO_CLOSE_TARGET is on by default
    JsonCodec.of(Order.class, closing).encode(new Order(1, "a", 1), StreamSink.of(out));
    assertFalse(out.closed);
  }

  /** A bean Jackson cannot serialize with default settings: no properties. */
  static final class Opaque {}

  @Test
  void unserializableValueThrowsEncodeExceptionWithJacksonCause() {
    ObjectMapper strict = JsonMapper.builder().enable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();
    EncodeException e = assertThrows(EncodeException.class,
        () -> JsonCodec.of(Opaque.class, strict).encode(new Opaque(), StreamSink.of(new ByteArrayOutputStream())));
    assertInstanceOf(JacksonException.class, e.getCause());
  }

  @Test
  void unsupportedTypeWithoutModuleIsAnEncodeException() {
    // java.time needs jackson-datatype-jsr310: the standard mapper has it, a plain one given by the caller does not
    assertThrows(EncodeException.class, () -> JsonCodec.of(Instant.class, new ObjectMapper())
        .encode(Instant.EPOCH, StreamSink.of(new ByteArrayOutputStream())));
  }

  @Test
  void failuresOfTheStreamItselfPropagateUnwrapped() {
    IOException boom = new IOException("frame buffer full");
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw boom;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw boom;
      }
    };
    IOException e = assertThrows(IOException.class,
        () -> JsonCodec.of(Order.class).encode(new Order(1, "a", 1), StreamSink.of(failing)));
    assertSame(boom, e);
  }

  @Test
  void treeModificationsAfterDecodeDoNotDependOnTheBuffer() throws IOException {
    byte[] bytes = "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    ObjectNode node = (ObjectNode) JsonCodec.tree().decode("", direct);
    direct.clear();
    direct.put(new byte[bytes.length]); // the receiver reuses its buffer
    assertEquals("v", node.get("k").asText());
    assertNull(node.get("missing"));
  }

  /** A bean whose second property fails: Jackson stops half-way through the object. */
  public static final class HalfWritten {
    public int getA() {
      return 1;
    }

    public int getB() {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void aValueThatFailsHalfWayLeavesNothingBehindForTheNextValue() throws IOException {
    JsonCodec<Object> codec = JsonCodec.of(Object.class);
    assertEquals("{\"x\":1}", utf8(encodeWith(codec, java.util.Map.of("x", 1))));
    assertThrows(EncodeException.class, () -> encodeWith(codec, new HalfWritten()));
    assertEquals("{\"x\":2}", utf8(encodeWith(codec, java.util.Map.of("x", 2))), "a fresh generator, nothing of the failed value");
  }

  @Test
  void aPrettyPrintingMapperWritesEveryValueAsAFreshWriterDoes() throws IOException {
    ObjectMapper pretty = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    JsonCodec<Order> codec = JsonCodec.of(Order.class, pretty);
    String expected = pretty.writerFor(Order.class).writeValueAsString(new Order(1, "a", 1));
    for (int i = 0; i < 3; i++) {
      assertEquals(expected, utf8(encodeWith(codec, new Order(1, "a", 1))), "value " + i);
    }
  }
}
