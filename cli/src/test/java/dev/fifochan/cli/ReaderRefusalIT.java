package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code send} learns whether its reader read the stream (the FIFO transport's lingerOnClose): a
 * reader that refuses the codec makes send fail, however small the stream, and so does one that
 * leaves early; a reader that reads everything lets it succeed.
 */
@Timeout(200)
class ReaderRefusalIT {
  private static final Duration LIMIT = Duration.ofSeconds(150);

  @TempDir
  Path dir;

  /** recv --codec json accepts only json writers (string accepts string and json: not a refusing pair). */
  @RepeatedTest(3)
  void aReaderThatRefusesTheCodecMakesSendFail() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 f\n"
        + "\"$F\" recv --codec json f 2> recv.err & R=$!\n"
        + "echo hello | \"$F\" send --codec string f 2> send.err; echo \"send $?\"\n"
        + "wait $R; echo \"recv $?\"; cat recv.err send.err >&2\n");
    assertEquals("send 7\nrecv 8\n", r.out(), r.err());
    assertTrue(r.err().contains("fifochan recv: f: incompatible stream at offset 0: the writer's codec is 'string', this"
        + " reader's is 'json'"), r.err());
    assertTrue(r.err().contains("fifochan send: f: the reader of write end of FIFO f") && r.err().contains("refused the stream"),
        r.err());
  }

  /**
   * A reader that leaves with bytes unread. (One that happened to read every byte before it left,
   * as {@code recv --count 1} of a stream that fits in one read does, cannot be told from one that
   * used them all: linger reports what was read, not what was used.)
   */
  @Test
  void aReaderThatLeavesEarlyMakesSendFail() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 f\n"
        + "\"$F\" recv --codec string --count 1 f > got.txt & R=$!\n"
        + "seq 1 300000 | \"$F\" send --codec string f 2> send.err; echo \"send $?\"\n"
        + "wait $R; echo \"recv $?\"; cat got.txt\n");
    assertEquals("send 7\nrecv 0\n1\n", r.out(), r.err());
  }

  @Test
  void aReaderThatReadsEverythingLetsSendSucceed() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 f\n"
        + "\"$F\" recv --codec string f > got.txt & R=$!\n"
        + "printf 'one\\ntwo\\n' | \"$F\" send --codec string f; echo \"send $?\"\n"
        + "wait $R; echo \"recv $?\"; cat got.txt\n");
    assertEquals("send 0\nrecv 0\none\ntwo\n", r.out(), r.err());
    assertEquals("", r.err());
  }

  @Test
  void aStalledReaderMakesSendTimeOut() throws Exception {
    // The reader takes the preamble and then stops reading (a shell that never reads on).
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 f\n"
        + "exec 3<>f\n" // holds a read end that nobody reads
        + "python3 -c 'import os,time; os.read(3, 64); time.sleep(30)' 3<&3 & P=$!\n"
        + "echo x | \"$F\" send --codec string --timeout 2s f; echo \"send $?\"; kill $P\n");
    assertEquals("send 3\n", r.out(), r.err());
  }
}
