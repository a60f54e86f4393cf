package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code send} | FIFO | {@code recv} with the real jar in separate processes. */
@Timeout(180)
class SendRecvIT {
  private static final Duration LIMIT = Duration.ofSeconds(150);

  @TempDir
  Path dir;

  private Path fifo() throws IOException, InterruptedException {
    return Jar.mkfifo(dir.resolve("f"));
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void hundredThousandJsonLinesArriveIdentical() throws Exception {
    Path fifo = fifo();
    StringBuilder s = new StringBuilder();
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      // Numbers and escapes a re-serializing codec would rewrite: 1.50, 1e3, \u00e9, spaces.
      s.append("{\"seq\":").append(i).append(", \"price\": 1.50, \"big\":1e3, \"name\":\"caf\\u00e9 ")
          .append(Long.toHexString(random.nextLong())).append("\",\"tags\":[\"é\",null,true],\"nested\":{\"n\":")
          .append(random.nextInt()).append("}}\n");
    }
    Path in = file("in.jsonl", s.toString());
    Jar.Run recv = Jar.start(dir, null, "recv", "--timeout", "60s", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--type", "event", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals(sha256(in), sha256(recv.stdout), "recv's stdout differs from send's stdin");
    assertEquals("", recv.err() + send.err(), "nothing on stderr when it is not a terminal");
  }

  @Test
  void stringLinesArriveIdentical() throws Exception {
    Path fifo = fifo();
    Path in = file("in.txt", "first line\n\n  tabs\tand spaces  \nünïcödé ✓ 𝄞\nlast\n");
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "string", "--timeout", "60s", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "string", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals(Files.readString(in), recv.out());
  }

  @Test
  void bytesWholeFileArrivesIdentical() throws Exception {
    Path fifo = fifo();
    byte[] blob = new byte[3 << 20];
    new Random(7).nextBytes(blob);
    Path in = Files.write(dir.resolve("blob.bin"), blob);
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "bytes", "--timeout", "60s", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "bytes", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertArrayEquals(blob, Files.readAllBytes(recv.stdout));
  }

  @Test
  void bytesU32RecordsArriveIdentical() throws Exception {
    Path fifo = fifo();
    java.io.ByteArrayOutputStream framed = new java.io.ByteArrayOutputStream();
    Random random = new Random(3);
    for (int len : new int[] {0, 1, 100, 70_000, 5}) {
      byte[] b = new byte[len];
      random.nextBytes(b);
      framed.write(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
      framed.write(b);
    }
    Path in = Files.write(dir.resolve("records.u32"), framed.toByteArray());
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "bytes", "--bytes-framing", "u32", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "bytes", "--bytes-framing", "u32", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertArrayEquals(framed.toByteArray(), Files.readAllBytes(recv.stdout));
  }

  private static String descriptorSet() {
    String p = System.getProperty("fifochan.descriptorSet");
    assertTrue(p != null && Files.isRegularFile(Path.of(p)), "descriptor set generated by the build: " + p);
    return p;
  }

  @Test
  void protobufWithSeveralTypesFromADescriptorSet() throws Exception {
    Path fifo = fifo();
    String lines = "{\"@type\":\"fifochan.interop.Ping\",\"seq\":\"1\",\"text\":\"ping-1\"}\n"
        + "{\"@type\":\"fifochan.interop.Pong\",\"seq\":\"2\",\"payload\":\"AAECAw==\"}\n"
        + "{\"@type\":\"fifochan.interop.Ping\"}\n";
    Path in = file("pb.jsonl", lines);
    String types = "fifochan.interop.Ping,fifochan.interop.Pong";
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "protobuf", "--descriptor-set", descriptorSet(),
        "--type", types, fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "protobuf", "--descriptor-set", descriptorSet(),
        "--type", types, fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals(lines, recv.out());
  }

  @Test
  void protobufPayloadsAreRealProtobufOnTheWire() throws Exception {
    Path fifo = fifo();
    Path in = file("pings.jsonl", "{\"seq\":\"5\",\"text\":\"ping-5\"}\n{\"seq\":\"6\"}\n");
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "bytes", "--bytes-framing", "u32", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "protobuf", "--descriptor-set", descriptorSet(),
        "--type", "fifochan.interop.Ping", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    DataInputStream records = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(recv.stdout)));
    List<Ping> pings = new ArrayList<>();
    while (records.available() > 0) {
      byte[] b = new byte[records.readInt()];
      records.readFully(b);
      pings.add(Ping.parseFrom(b));
    }
    assertEquals(List.of(Ping.newBuilder().setSeq(5).setText("ping-5").build(), Ping.newBuilder().setSeq(6).build()), pings);
    assertEquals(ByteString.EMPTY, Pong.getDefaultInstance().getPayload());
  }

  @Test
  void recvTimesOutWithoutAWriter() throws Exception {
    Path fifo = fifo();
    long start = System.nanoTime();
    Jar.Run recv = Jar.run(dir, null, LIMIT, "recv", "--timeout", "500ms", fifo.toString());
    assertEquals(ExitCode.TIMEOUT.code(), recv.exitCode(), recv.toString());
    assertTrue(recv.err().startsWith("fifochan recv: ") && recv.err().contains(fifo.toString()), recv.err());
    assertEquals(1, recv.err().lines().count(), recv.err());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos());
  }

  @Test
  void sendTimesOutWithoutAReader() throws Exception {
    Path fifo = fifo();
    Jar.Run send = Jar.run(dir, file("one.jsonl", "{}\n"), LIMIT, "send", "--timeout", "500ms", fifo.toString());
    assertEquals(ExitCode.TIMEOUT.code(), send.exitCode(), send.toString());
    assertTrue(send.err().contains(fifo.toString()), send.err());
  }

  /** A raw writer (a shell) that writes {@code bytes} into the FIFO and then keeps it open for 60 s. */
  private Process rawWriter(Path fifo, byte[] bytes) throws IOException {
    Path data = Files.write(dir.resolve("raw.bin"), bytes);
    return new ProcessBuilder("sh", "-c", "exec 3>\"$1\"; cat \"$2\" >&3; exec sleep 60", "sh", fifo.toString(), data.toString())
        .redirectErrorStream(true).start();
  }

  @Test
  void garbageAfterAPreambleIsCorruptAtItsOffsetWithoutHanging() throws Exception {
    Path fifo = fifo();
    byte[] preamble = {(byte) 0x89, 'F', 'C', 'H', 1, 4, 'j', 's', 'o', 'n'};
    byte[] bad = {0, 0, 0, 2, (byte) 0x80, 0, 'h', 'i'};
    byte[] stream = new byte[preamble.length + bad.length];
    System.arraycopy(preamble, 0, stream, 0, preamble.length);
    System.arraycopy(bad, 0, stream, preamble.length, bad.length);
    Jar.Run recv = Jar.start(dir, null, "recv", "--timeout", "60s", fifo.toString());
    Process writer = rawWriter(fifo, stream);
    try {
      recv.await(Duration.ofSeconds(40)); // the writer stays open: recv must not wait for end of file
      assertEquals(ExitCode.CORRUPT.code(), recv.exitCode(), recv.toString());
      assertEquals("fifochan recv: " + fifo + ": corrupt frame at offset 10: reserved flag bits set in 80\n", recv.err());
      assertEquals("", recv.out());
    } finally {
      writer.destroyForcibly();
    }
  }

  @Test
  void plainGarbageIsCorruptAtOffsetZero() throws Exception {
    Path fifo = fifo();
    Jar.Run recv = Jar.start(dir, null, "recv", "--timeout", "60s", fifo.toString());
    Process writer = rawWriter(fifo, "hello, this is not fifochan\n".getBytes(StandardCharsets.US_ASCII));
    try {
      recv.await(Duration.ofSeconds(40));
      assertEquals(ExitCode.CORRUPT.code(), recv.exitCode(), recv.toString());
      assertTrue(recv.err().contains("corrupt frame at offset 0: frame before any preamble"), recv.err());
    } finally {
      writer.destroyForcibly();
    }
  }

  @Test
  void writerThatDiesIsATruncatedStreamAfterTheCompleteMessages() throws Exception {
    Path fifo = fifo();
    byte[] stream = {(byte) 0x89, 'F', 'C', 'H', 1, 6, 's', 't', 'r', 'i', 'n', 'g', 0, 0, 0, 2, 0, 0, 'h', 'i'};
    Jar.Run recv = Jar.start(dir, null, "recv", "--codec", "string", "--timeout", "60s", fifo.toString());
    Path data = Files.write(dir.resolve("cut.bin"), stream);
    Process writer = new ProcessBuilder("sh", "-c", "cat \"$2\" > \"$1\"", "sh", fifo.toString(), data.toString()).start();
    recv.await(LIMIT);
    writer.destroyForcibly();
    assertEquals(ExitCode.TRUNCATED.code(), recv.exitCode(), recv.toString());
    assertEquals("hi\n", recv.out());
    assertTrue(recv.err().contains("truncated stream at offset 20"), recv.err());
  }

  @Test
  void invalidInputLineCutsTheStreamOffSoTheReaderSeesItTruncated() throws Exception {
    Path fifo = fifo();
    Jar.Run recv = Jar.start(dir, null, "recv", "--timeout", "60s", fifo.toString());
    Jar.Run send = Jar.run(dir, file("bad.jsonl", "{\"a\":1}\n[2]\n{\"broken\": }\n{\"never\":1}\n"), LIMIT, "send", fifo.toString());
    recv.await(LIMIT);
    assertEquals(ExitCode.BAD_MESSAGE.code(), send.exitCode(), send.toString());
    assertTrue(send.err().startsWith("fifochan send: stdin line 3: invalid JSON"), send.err());
    assertEquals(ExitCode.TRUNCATED.code(), recv.exitCode(), recv.toString());
    assertEquals("{\"a\":1}\n[2]\n", recv.out());
  }

  @Test
  void countStopsTheReaderAndTheSenderSeesThePeerGone() throws Exception {
    Path fifo = fifo();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 300_000; i++) {
      s.append("{\"i\":").append(i).append("}\n");
    }
    Jar.Run recv = Jar.start(dir, null, "recv", "--count", "3", fifo.toString());
    Jar.Run send = Jar.run(dir, file("many.jsonl", s.toString()), LIMIT, "send", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals("{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n", recv.out());
    assertEquals(ExitCode.PEER_GONE.code(), send.exitCode(), send.toString());
    assertTrue(send.err().startsWith("fifochan send: "), send.err());
  }

  @Test
  void followReadsAcrossWriterRestarts() throws Exception {
    Path fifo = fifo();
    Jar.Run recv = Jar.start(dir, null, "recv", "--follow", "--count", "3", "--codec", "string", "--timeout", "60s", fifo.toString());
    Jar.Run first = Jar.run(dir, file("a.txt", "one\ntwo\n"), LIMIT, "send", "--codec", "string", fifo.toString());
    Jar.Run second = Jar.run(dir, file("b.txt", "three\n"), LIMIT, "send", "--codec", "string", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, first.exitCode(), first.toString());
    assertEquals(0, second.exitCode(), second.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals("one\ntwo\nthree\n", recv.out());
  }

  @Test
  void createMakesTheFifoWithTheMode() throws Exception {
    Path fifo = dir.resolve("made");
    Jar.Run recv = Jar.start(dir, null, "recv", "--create", "--mode", "640", "--timeout", "60s", fifo.toString());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(fifo) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
    Jar.Run send = Jar.run(dir, file("x.jsonl", "{\"x\":1}\n"), LIMIT, "send", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals("{\"x\":1}\n", recv.out());
  }

  @Test
  void sendWithoutCreateNamesTheMissingFifoAndSuggestsCreate() {
    Path missing = dir.resolve("missing");
    Jar.Run send = Jar.run(dir, null, LIMIT, "send", "--timeout", "1s", missing.toString());
    assertEquals(ExitCode.ERROR.code(), send.exitCode(), send.toString());
    assertEquals("fifochan send: " + missing + ": no such file or directory (add --create to make the FIFO)\n", send.err());
  }

  @Test
  void recvWithoutCreateSuggestsCreateAndFollowToo() {
    Path missing = dir.resolve("missing");
    for (String follow : new String[] {"--count=1", "--follow"}) {
      Jar.Run recv = Jar.run(dir, null, LIMIT, "recv", follow, "--timeout", "1s", missing.toString());
      assertEquals(ExitCode.ERROR.code(), recv.exitCode(), recv.toString());
      assertEquals("fifochan recv: " + missing + ": no such file or directory (add --create to make the FIFO)\n",
          recv.err(), follow);
    }
  }

  @Test
  void aMissingDirectoryIsNamedAndCreateIsNotSuggested() {
    Path missing = dir.resolve("no-dir/f");
    Jar.Run recv = Jar.run(dir, null, LIMIT, "recv", "--create", "--timeout", "1s", missing.toString());
    assertEquals(ExitCode.ERROR.code(), recv.exitCode(), recv.toString());
    assertEquals("fifochan recv: " + missing + ": no such directory: " + dir.resolve("no-dir") + "\n", recv.err());
  }

  @Test
  void sendChecksItsFirstMessageBeforeWaitingForAReader() throws Exception {
    // No reader ever comes and there is no --timeout: before this check, send waited forever.
    Path fifo = fifo();
    Path in = file("in.jsonl", "{\"id\":1\n{\"id\":2}\n");
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", fifo.toString());
    assertEquals(ExitCode.BAD_MESSAGE.code(), send.exitCode(), send.toString());
    assertTrue(send.err().startsWith("fifochan send: stdin line 1: invalid JSON: "), send.err());
    Path u32 = Files.write(dir.resolve("in.u32"), new byte[] {0, 0, 0, 9, 'a'});
    Jar.Run framed = Jar.run(dir, u32, LIMIT, "send", "--codec", "bytes", "--bytes-framing", "u32", fifo.toString());
    assertEquals(ExitCode.BAD_MESSAGE.code(), framed.exitCode(), framed.toString());
    assertEquals("fifochan send: stdin byte 0: input ends inside a u32 9-byte record\n", framed.err());
    Path missing = dir.resolve("not-created");
    Jar.Run created = Jar.run(dir, in, LIMIT, "send", "--create", missing.toString());
    assertEquals(ExitCode.BAD_MESSAGE.code(), created.exitCode(), created.toString());
    assertFalse(Files.exists(missing, java.nio.file.LinkOption.NOFOLLOW_LINKS), "no FIFO created for invalid input");
  }

  @Test
  void mkfifoCreatesWithExactModeAndRefusesExistingPaths() throws Exception {
    Path fifo = dir.resolve("m");
    Jar.Run made = Jar.run(dir, null, LIMIT, "mkfifo", "--mode", "640", fifo.toString());
    assertEquals(0, made.exitCode(), made.toString());
    assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther());
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
    Jar.Run again = Jar.run(dir, null, LIMIT, "mkfifo", fifo.toString());
    assertEquals(ExitCode.ERROR.code(), again.exitCode());
    assertEquals("fifochan mkfifo: " + fifo + ": already exists\n", again.err());
  }

  @Test
  void followGivesUpAfterTheTimeoutWithoutAWriter() throws Exception {
    Path fifo = fifo();
    Jar.Run recv = Jar.run(dir, null, LIMIT, "recv", "--follow", "--timeout", "1s", fifo.toString());
    assertEquals(ExitCode.TIMEOUT.code(), recv.exitCode(), recv.toString());
  }

  @Test
  void progressGoesToStderrOnlyAndOnlyWhenAsked() throws Exception {
    Path fifo = fifo();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      s.append("{\"i\":").append(i).append("}\n");
    }
    Path in = file("p.jsonl", s.toString());
    Jar.Run recv = Jar.start(dir, null, "recv", "--progress", fifo.toString());
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--no-progress", fifo.toString());
    recv.await(LIMIT);
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals(Files.readString(in), recv.out(), "stdout carries only data");
    assertTrue(recv.err().contains("recv " + fifo + ": 50.0 k msgs"), recv.err());
    assertEquals("", send.err());
  }
}
