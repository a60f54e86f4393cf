package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} with the real jar, on test vectors and on a live FIFO. */
@Timeout(120)
class InspectIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private static Path vector(String name) {
    return InProcess.repoRoot().resolve("testdata/vectors/" + name);
  }

  @Test
  void cleanVectorIsListedRecordByRecord() {
    Jar.Run r = Jar.run(dir, null, LIMIT, "inspect", vector("string-tag-checksum.bin").toString());
    assertEquals(0, r.exitCode(), r.toString());
    String expected = ""
        + "    OFFSET  RECORD    FLAGS      LENGTH  TAG                       PAYLOAD\n"
        + "         0  preamble                                               codec=string version=1\n"
        + "        12  frame     CRC             2  \"greeting\"                \"hi\"\n"
        + "        32  end       EOS|CRC         0                            \n"
        + "        42  clean end of stream: 1 writer session, 1 frame, 2 payload bytes\n";
    assertEquals(expected, r.out());
    assertEquals("", r.err());
  }

  @Test
  void corruptVectorNamesTheExactOffsetAndExitsWithTheCorruptCode() {
    Path bin = vector("corrupt-reserved-flag.bin");
    Jar.Run r = Jar.run(dir, null, LIMIT, "inspect", bin.toString());
    assertEquals(ExitCode.CORRUPT.code(), r.exitCode(), r.toString());
    assertEquals("fifochan inspect: " + bin + ": corrupt frame at offset 19: reserved flag bits set in 04\n", r.err());
    assertTrue(r.out().contains("        11  frame"), r.out());
  }

  @Test
  void checksumMismatchIsACorruptStreamAtTheFramesOffset() {
    Path bin = vector("checksum-mismatch.bin");
    Jar.Run r = Jar.run(dir, null, LIMIT, "inspect", bin.toString());
    assertEquals(ExitCode.CORRUPT.code(), r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("fifochan inspect: " + bin + ": checksum mismatch at offset 25: "), r.err());
  }

  @Test
  void inspectsALiveFifo() throws Exception {
    Path fifo = Jar.mkfifo(dir.resolve("live"));
    Jar.Run inspect = Jar.start(dir, null, "inspect", "--timeout", "60s", fifo.toString());
    Path in = Files.writeString(dir.resolve("in.txt"), "alpha\nbeta\n", StandardCharsets.UTF_8);
    Jar.Run send = Jar.run(dir, in, LIMIT, "send", "--codec", "string", "--checksum", fifo.toString());
    inspect.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, inspect.exitCode(), inspect.toString());
    String out = inspect.out();
    assertTrue(out.contains("codec=string"), out);
    assertTrue(out.contains("\"alpha\""), out);
    assertTrue(out.contains("\"beta\""), out);
    assertTrue(out.contains("clean end of stream: 1 writer session, 2 frames, 9 payload bytes"), out);
  }
}
