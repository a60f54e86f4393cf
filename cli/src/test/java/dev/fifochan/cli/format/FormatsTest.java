package dev.fifochan.cli.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.fifochan.DecodeException;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FormatsTest {
  private static ByteArrayInputStream in(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void byteLinesHandleCrlfMissingFinalNewlineAndLongLines() throws IOException {
    String longLine = "x".repeat(200_000);
    ByteLines lines = new ByteLines(in("a\r\n\nb\n" + longLine + "\nlast"));
    assertEquals("a", new String(lines.next(), StandardCharsets.UTF_8));
    assertEquals("", new String(lines.next(), StandardCharsets.UTF_8));
    assertEquals("b", new String(lines.next(), StandardCharsets.UTF_8));
    assertEquals(longLine, new String(lines.next(), StandardCharsets.UTF_8));
    assertEquals("last", new String(lines.next(), StandardCharsets.UTF_8));
    assertEquals(5, lines.lineNumber());
    assertNull(lines.next());
  }

  @Test
  void jsonLinesPassBytesThroughAndSkipBlankLines() throws Exception {
    MessageInput<RawJson> input = new JsonLinesFormat("ev").input(in("{\"a\": 1.50, \"b\":\"\\u00e9\"}\n\n  \n[1,2]\n"));
    RawJson first = input.next();
    assertEquals("{\"a\": 1.50, \"b\":\"\\u00e9\"}", new String(first.bytes(), StandardCharsets.UTF_8));
    assertEquals("ev", first.tag());
    assertEquals("[1,2]", new String(input.next().bytes(), StandardCharsets.UTF_8));
    assertNull(input.next());
  }

  @Test
  void invalidJsonLineIsABadMessageNamingTheLine() throws Exception {
    MessageInput<RawJson> input = new JsonLinesFormat("").input(in("{}\n{\"a\":}\n"));
    input.next();
    CliException e = assertThrows(CliException.class, input::next);
    assertEquals(ExitCode.BAD_MESSAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("stdin line 2: invalid JSON"), e.getMessage());
    CliException two = assertThrows(CliException.class, () -> new JsonLinesFormat("").input(in("{} {}\n")).next());
    assertTrue(two.getMessage().contains("more than one value"), two.getMessage());
  }

  @Test
  void jsonOutputKeepsOneMessagePerLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MessageOutput<RawJson> o = new JsonLinesFormat("").output(out);
    o.write(new RawJson("", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    o.write(new RawJson("", "{\n  \"b\" : 2\n}".getBytes(StandardCharsets.UTF_8)));
    o.flush();
    assertEquals("{\"a\":1}\n{\"b\":2}\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rawJsonCodecRejectsPayloadsThatAreNotOneValue() {
    RawJsonCodec codec = new RawJsonCodec();
    assertThrows(DecodeException.class, () -> codec.decode("", ByteBuffer.wrap("{".getBytes(StandardCharsets.UTF_8))));
    assertThrows(DecodeException.class, () -> codec.decode("", ByteBuffer.wrap(new byte[0])));
    assertTrue(codec.accepts("json"));
  }

  @Test
  void stringLinesRefuseInvalidUtf8() throws Exception {
    MessageInput<String> input = new StringLinesFormat().input(new ByteArrayInputStream(new byte[] {'o', 'k', '\n', (byte) 0xC3, '\n'}));
    assertEquals("ok", input.next());
    CliException e = assertThrows(CliException.class, input::next);
    assertEquals("stdin line 2: not valid UTF-8", e.getMessage());
  }

  @Test
  void bytesU32RoundTripsAndDetectsTruncation() throws Exception {
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    BytesFormat u32 = new BytesFormat(BytesFraming.u32, 1 << 20);
    MessageOutput<byte[]> o = u32.output(framed);
    o.write(new byte[] {1, 2, 3});
    o.write(new byte[0]);
    o.flush();
    assertArrayEquals(new byte[] {0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0}, framed.toByteArray());
    MessageInput<byte[]> i = u32.input(new ByteArrayInputStream(framed.toByteArray()));
    assertArrayEquals(new byte[] {1, 2, 3}, i.next());
    assertArrayEquals(new byte[0], i.next());
    assertNull(i.next());
    MessageInput<byte[]> cut = u32.input(new ByteArrayInputStream(new byte[] {0, 0, 0, 9, 1}));
    CliException e = assertThrows(CliException.class, cut::next);
    assertEquals("stdin byte 0: input ends inside a u32 9-byte record", e.getMessage());
  }

  @Test
  void bytesWholeIsOneMessageAndRespectsTheLimit() throws Exception {
    MessageInput<byte[]> i = new BytesFormat(BytesFraming.whole, 10).input(new ByteArrayInputStream(new byte[] {7, 8}));
    assertArrayEquals(new byte[] {7, 8}, i.next());
    assertNull(i.next());
    MessageInput<byte[]> big = new BytesFormat(BytesFraming.whole, 10).input(new ByteArrayInputStream(new byte[11]));
    assertEquals(ExitCode.BAD_MESSAGE, assertThrows(CliException.class, big::next).exitCode());
  }

  @Test
  void protobufSingleTypeNeedsNoTypeMember() throws Exception {
    ProtobufJsonFormat f = new ProtobufJsonFormat(List.of(Ping.getDescriptor()), List.of(Ping.getDescriptor()));
    Message m = f.parse("{\"seq\":\"7\",\"text\":\"hi\"}");
    assertEquals(Ping.newBuilder().setSeq(7).setText("hi").build().toByteString(), m.toByteString());
    assertEquals("{\"seq\":\"7\",\"text\":\"hi\"}", f.print(m));
    assertEquals("fifochan.interop.Ping", f.codec().tagOf(m));
  }

  @Test
  void protobufSeveralTypesUseAtType() throws Exception {
    ProtobufJsonFormat f = new ProtobufJsonFormat(List.of(Ping.getDescriptor(), Pong.getDescriptor()),
        List.of(Ping.getDescriptor(), Pong.getDescriptor()));
    Message pong = f.parse("{\"@type\":\"fifochan.interop.Pong\",\"seq\":3,\"payload\":\"AAE=\"}");
    assertEquals(Pong.newBuilder().setSeq(3).setPayload(ByteString.copyFrom(new byte[] {0, 1})).build().toByteString(),
        pong.toByteString());
    assertEquals("{\"@type\":\"fifochan.interop.Pong\",\"seq\":\"3\",\"payload\":\"AAE=\"}", f.print(pong));
    assertEquals("{\"@type\":\"fifochan.interop.Ping\"}", f.print(f.parse("{\"@type\":\"fifochan.interop.Ping\"}")));
    assertThrows(IllegalArgumentException.class, () -> f.parse("{\"seq\":1}"));
    assertThrows(IllegalArgumentException.class, () -> f.parse("{\"@type\":\"x.Y\"}"));
    assertThrows(IllegalArgumentException.class, () -> f.parse("{\"@type\":\"fifochan.interop.Ping\",\"sqe\":1}"));
  }
}
