package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sender in wire format 1.0 writes byte for byte what fifochan 0.1 wrote for the same messages and
 * configuration (streams recorded from tag v0.1.0 in src/test/resources/v01-golden), and a 1.1 sender
 * differs only in the preamble's version byte when it uses no 1.1 feature.
 */
class WireVersionOneZeroTest {
  private static final ChannelConfig V10 = ChannelConfig.builder().wireVersion(WireVersion.V1_0).build();

  private interface Body<T> {
    void run(Sender<T> tx) throws IOException;
  }

  private static <T> byte[] write(Codec<T> codec, ChannelConfig config, Body<T> body) throws IOException {
    TestChannels.Sink sink = new TestChannels.Sink(Integer.MAX_VALUE);
    try (Sender<T> tx = Sender.over(sink, codec, config)) {
      body.run(tx);
    }
    return sink.toByteArray();
  }

  private static Map<String, String[]> golden() throws IOException {
    Map<String, String[]> g = new HashMap<>();
    try (InputStream in = WireVersionOneZeroTest.class.getResourceAsStream("/v01-golden/sha256.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.trim().split(" ");
          g.put(f[0], f);
        }
      }
    }
    return g;
  }

  private static void assertGolden(String name, byte[] written) throws IOException {
    String[] g = golden().get(name);
    try (InputStream whole = WireVersionOneZeroTest.class.getResourceAsStream("/v01-golden/" + name + ".bin")) {
      if (whole != null) {
        assertArrayEquals(whole.readAllBytes(), written, name);
      }
    }
    assertEquals(Long.parseLong(g[1]), written.length, name + ": length");
    assertEquals(g[2], sha256(written), name + ": SHA-256 of the stream");
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The 0.1 scenario's codec: ints tagged "even" or "odd". */
  private static final class Ints implements Codec<Integer> {
    @Override
    public String name() {
      return "ints";
    }

    @Override
    public String tagOf(Integer v) {
      return v % 2 == 0 ? "even" : "odd";
    }

    @Override
    public void encode(Integer v, PayloadSink sink) throws IOException {
      sink.room(4).putInt(v);
    }

    @Override
    public Integer decode(String tag, ByteBuffer p) {
      return p.getInt();
    }
  }

  private static void sizes(Sender<byte[]> tx) throws IOException {
    int[] sizes = {0, 1, 100, 4089, 4090, 4091, 4096, 5000, 70_000, 3, 300_000, 17};
    for (int s : sizes) {
      byte[] b = new byte[s];
      for (int i = 0; i < s; i++) {
        b[i] = (byte) (i * 31 + s);
      }
      tx.send(b, Duration.ofSeconds(10));
    }
  }

  @Test
  void oneZeroModeWritesWhatZeroOneWrote() throws IOException {
    assertGolden("strings", write(Codecs.string(), V10, tx -> {
      tx.send("hi");
      tx.send("");
      tx.send("héllo wörld ✓ 😀");
    }));
    assertGolden("strings-checksum", write(Codecs.string(), V10.toBuilder().checksum(true).build(), tx -> {
      tx.send("hi");
      tx.send("x".repeat(1000));
    }));
    assertGolden("tagged-ints", write(new Ints(), V10.toBuilder().checksum(true).build(), tx -> {
      for (int i = 0; i < 50; i++) {
        tx.send(i * 7919);
      }
    }));
    assertGolden("bytes-sizes", write(Codecs.bytes(), V10.toBuilder().bufferSize(4096).build(), WireVersionOneZeroTest::sizes));
    assertGolden("bytes-sizes-checksum", write(Codecs.bytes(), V10.toBuilder().bufferSize(4096).checksum(true).build(),
        WireVersionOneZeroTest::sizes));
    assertGolden("empty", write(Codecs.bytes(), V10, tx -> {}));
  }

  @Test
  void aOneOneSenderWithoutOneOneFeaturesDiffersOnlyInTheVersionByte() throws IOException {
    byte[] v10 = write(Codecs.bytes(), V10.toBuilder().bufferSize(4096).checksum(true).build(), WireVersionOneZeroTest::sizes);
    byte[] v11 = write(Codecs.bytes(), ChannelConfig.builder().bufferSize(4096).checksum(true).build(), WireVersionOneZeroTest::sizes);
    assertEquals(v10.length, v11.length);
    assertEquals(1, v10[4]);
    assertEquals(2, v11[4]);
    v11[4] = 1;
    assertArrayEquals(v10, v11);
  }

  @Test
  void oneZeroModeSendsNoHeartbeatsAndItsAbortWritesNoEnd() throws Exception {
    MemoryPipe pipe = MemoryPipe.unbounded();
    Sender<String> tx = Sender.over(pipe, Codecs.string(),
        V10.toBuilder().heartbeatInterval(Duration.ofMillis(5)).flushDelay(Duration.ZERO).build());
    tx.send("one");
    Thread.sleep(100);
    assertEquals(0, tx.stats().heartbeatsSent());
    tx.abort("lost in 1.0");
    byte[] bytes = pipe.bytes();
    assertArrayEquals(Wire.stream().preamble(1, "string").message("one").bytes(), bytes, "no heartbeat, no end");
    assertFalse(pipe.isOpen(), "the transport is closed");
    assertTrue(tx.done().toCompletableFuture().isCompletedExceptionally());
  }
}
