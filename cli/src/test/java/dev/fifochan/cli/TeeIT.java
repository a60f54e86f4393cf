package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fifochan tee IN OUT}: the reader of OUT gets IN's bytes unchanged, a copy goes to stdout
 * (text or raw) or a third FIFO, and every kind of end passes through.
 */
@Timeout(200)
class TeeIT {
  private static final Duration LIMIT = Duration.ofSeconds(150);

  @TempDir
  Path dir;

  private String lines;

  @BeforeEach
  void input() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      s.append("{\"seq\":").append(i).append(",\"text\":\"line ").append(i).append(" é\"}\n");
    }
    lines = s.toString();
    Files.writeString(dir.resolve("in.jsonl"), lines, StandardCharsets.UTF_8);
  }

  private byte[] bytes(String name) throws IOException {
    return Files.readAllBytes(dir.resolve(name));
  }

  @Test
  void theReaderOfOutGetsTheStreamByteForByteAndStdoutACopyOfTheMessages() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "\"$F\" send - < in.jsonl > direct.bin\n" // the stream send writes, recorded
        + "mkfifo -m 600 in out\n"
        + "\"$F\" tee in out > copy.jsonl 2> tee.err & T=$!\n"
        + "cat out > got.bin & C=$!\n"
        + "\"$F\" send in < in.jsonl; echo \"send $?\"\n"
        + "wait $T; echo \"tee $?\"; wait $C; echo \"cat $?\"; cat tee.err >&2\n");
    assertEquals("send 0\ntee 0\ncat 0\n", r.out(), r.err());
    assertArrayEquals(bytes("direct.bin"), bytes("got.bin"), "OUT must carry IN's bytes unchanged");
    assertEquals(lines, Files.readString(dir.resolve("copy.jsonl")));
    assertEquals("", r.err());
  }

  @Test
  void rawCopyAndCopyFifoAreTheStreamItself() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "\"$F\" send - < in.jsonl > direct.bin\n"
        + "mkfifo -m 600 in out audit in2 out2\n"
        + "\"$F\" tee --raw in out > raw.bin & T=$!\n"
        + "\"$F\" recv out > recv.jsonl & R=$!\n"
        + "\"$F\" send in < in.jsonl; echo \"send $?\"; wait $T; echo \"tee $?\"; wait $R; echo \"recv $?\"\n"
        + "\"$F\" tee --copy audit in2 out2 > nothing.txt & T=$!\n"
        + "cat out2 > got2.bin & C=$!\n"
        + "\"$F\" recv audit > audit.jsonl & A=$!\n"
        + "\"$F\" send in2 < in.jsonl; echo \"send $?\"; wait $T; echo \"tee $?\"; wait $A; echo \"audit $?\"; wait $C\n");
    assertEquals("send 0\ntee 0\nrecv 0\nsend 0\ntee 0\naudit 0\n", r.out(), r.err());
    assertArrayEquals(bytes("direct.bin"), bytes("raw.bin"));
    assertArrayEquals(bytes("direct.bin"), bytes("got2.bin"));
    assertEquals(lines, Files.readString(dir.resolve("recv.jsonl")));
    assertEquals(lines, Files.readString(dir.resolve("audit.jsonl")));
    assertEquals(0, bytes("nothing.txt").length);
  }

  @Test
  void anAbortedEndPassesThrough() throws Exception {
    Files.writeString(dir.resolve("bad.jsonl"), "{\"a\":1}\n{\"b\":2}\n{broken\n{\"c\":3}\n");
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 in out\n"
        + "\"$F\" tee in out > copy.jsonl 2> tee.err & T=$!\n"
        + "\"$F\" recv out > recv.jsonl 2> recv.err & R=$!\n"
        + "\"$F\" send in < bad.jsonl 2> /dev/null; echo \"send $?\"\n"
        + "wait $T; echo \"tee $?\"; wait $R; echo \"recv $?\"; cat tee.err recv.err >&2\n");
    assertEquals("send 6\ntee 10\nrecv 10\n", r.out(), r.err());
    assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(dir.resolve("copy.jsonl")));
    assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(dir.resolve("recv.jsonl")));
    assertTrue(r.err().contains("fifochan tee: in: the writer aborted its stream at offset "), r.err());
    assertTrue(r.err().contains("fifochan recv: out: the writer aborted its stream at offset "), r.err());
  }

  @Test
  void aTruncatedStreamPassesThroughAsTheSameBytes() throws Exception {
    // A writer that dies in the middle of a frame: the preamble, one whole frame, then half a frame.
    byte[] whole = {(byte) 0x89, 'F', 'C', 'H', 2, 6, 's', 't', 'r', 'i', 'n', 'g', 0, 0, 0, 2, 0, 0, 'h', 'i'};
    byte[] cut = new byte[whole.length + 6];
    System.arraycopy(whole, 0, cut, 0, whole.length);
    System.arraycopy(new byte[] {0, 0, 0, 9, 0, 0}, 0, cut, whole.length, 6);
    Files.write(dir.resolve("cut.bin"), cut);
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 in out\n"
        + "\"$F\" tee --codec string in out > copy.txt 2> tee.err & T=$!\n"
        + "cat out > got.bin & C=$!\n"
        + "cat cut.bin > in\n"
        + "wait $T; echo \"tee $?\"; wait $C; cat tee.err >&2\n");
    assertEquals("tee 4\n", r.out(), r.err());
    assertArrayEquals(cut, bytes("got.bin"));
    assertEquals("hi\n", Files.readString(dir.resolve("copy.txt")));
    assertTrue(r.err().contains("truncated stream at offset 20"), r.err());
  }

  @Test
  void aReaderOfOutThatRefusesTheStreamFailsTeeAndTheWriter() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 in out\n"
        + "\"$F\" tee --codec string in out > /dev/null 2> tee.err & T=$!\n"
        + "\"$F\" recv --codec json out 2> recv.err & R=$!\n"
        + "seq 1 50000 | \"$F\" send --codec string in 2> send.err; echo \"send $?\"\n"
        + "wait $T; echo \"tee $?\"; wait $R; echo \"recv $?\"\n");
    assertEquals("send 7\ntee 7\nrecv 8\n", r.out(), r.err());
  }

  @Test
  void aSecondReaderOfAFifoInUseIsRefusedNamingTee() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 f\n"
        + "\"$F\" recv --timeout 20s f > /dev/null & R=$!\n"
        + "sleep 2\n"
        + "\"$F\" recv --timeout 5s f; echo \"second $?\"\n"
        + "echo '{}' | \"$F\" send f; wait $R\n");
    assertTrue(r.out().contains("second 1"), r.out() + r.err());
    assertTrue(r.err().contains("another reader has the FIFO") && r.err().contains("fifochan tee"), r.err());
  }

  @Test
  void aMissingFifoIsOneLineSuggestingCreateAndNothingIsCreated() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 out\n"
        + "\"$F\" tee --timeout 5s nope out; echo \"tee $?\"\n"
        + "if [ -e nope ]; then echo created; fi\n");
    assertEquals("tee 1\n", r.out(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("fifochan tee: ") && r.err().contains("add --create"), r.err());
  }

  @Test
  void aRefusedPathIsOneLineWithoutTheLibrarysLogLines() throws Exception {
    // the transport logs a refusal at WARNING for services; the command's stderr has its own line only
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "echo x > regular\n"
        + "\"$F\" recv regular; echo \"recv $?\"\n"
        + "\"$F\" tee regular out; echo \"tee $?\"\n");
    assertEquals("recv 1\ntee 1\n", r.out(), r.err());
    assertEquals(2, r.err().lines().count(), r.err());
    assertTrue(r.err().lines().allMatch(l -> l.startsWith("fifochan ") && l.contains("not a FIFO")), r.err());
  }
}
