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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  private static final String TABLE = ""
      + "    OFFSET  RECORD    FLAGS      LENGTH  TAG                       PAYLOAD\n"
      + "         0  preamble                                               codec=string version=1\n"
      + "        12  frame     CRC             2  \"greeting\"                \"hi\"\n"
      + "        32  end       EOS|CRC         0                            \n"
      + "        42  clean end of stream: 1 writer session, 1 frame, 2 payload bytes\n";

  /** Runs {@code script} with bash, {@code $F} the launcher and {@code $V} a test vector; stdout and stderr kept apart. */
  private Jar.Run bash(String script) throws Exception {
    Path out = Files.createTempFile(dir, "stdout-", ".txt");
    Path err = Files.createTempFile(dir, "stderr-", ".txt");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("F", InProcess.repoRoot().resolve("bin/fifochan").toString());
    pb.environment().put("V", vector("string-tag-checksum.bin").toString());
    pb.environment().put("FIFOCHAN_CACHE_DIR", Launcher.cacheDir().toString());
    return new Jar.Run(pb.start(), out, err).await(LIMIT);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "\"$F\" inspect - < \"$V\"",
      "cat \"$V\" | \"$F\" inspect -",
      "\"$F\" inspect /dev/stdin < \"$V\"",
      "cat \"$V\" | \"$F\" inspect /dev/stdin",
      "\"$F\" inspect <(cat \"$V\")",
      "\"$F\" inspect /dev/fd/3 3< \"$V\"",
      "\"$F\" inspect /proc/self/fd/4 4< \"$V\"",
      "{ head -c 0; \"$F\" inspect -; } < \"$V\"",
  })
  void anyPathAShellHandsOverIsRead(String script) throws Exception {
    Jar.Run r = bash(script);
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(TABLE, r.out());
    assertEquals("", r.err());
  }

  /**
   * A socket cannot be opened again by its /dev/fd path (ENXIO): only reading the descriptor the
   * process holds works, as it does for a service's stdin under systemd or inetd.
   */
  @Test
  void aSocketOnStdinOrOnAnotherDescriptorIsRead() throws Exception {
    String python = ""
        + "import os, socket, subprocess, sys\n"
        + "for path, fd in (('/dev/stdin', 0), ('-', 0), ('/dev/fd/20', 20)):\n"
        + "    a, b = socket.socketpair()\n"
        + "    os.dup2(b.fileno(), fd) if fd != 0 else None\n"
        + "    kw = {'stdin': b} if fd == 0 else {'pass_fds': (20,)}\n"
        + "    p = subprocess.Popen([os.environ['F'], 'inspect', path], stdout=subprocess.PIPE, **kw)\n"
        + "    b.close()\n"
        + "    a.sendall(open(os.environ['V'], 'rb').read()); a.shutdown(socket.SHUT_WR)\n"
        + "    out = p.communicate(timeout=60)[0]\n"
        + "    if fd != 0: os.close(fd)\n"
        + "    sys.stdout.buffer.write(out); print('exit', p.returncode)\n";
    Path py = Files.writeString(dir.resolve("socket_peer.py"), python);
    Jar.Run r = bash("python3 " + py);
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(TABLE + "exit 0\n" + TABLE + "exit 0\n" + TABLE + "exit 0\n", r.out(), r.err());
  }

  @Test
  void aDescriptorThatIsNotOpenIsOneLine() throws Exception {
    Jar.Run r = bash("\"$F\" inspect /dev/fd/7");
    assertEquals(ExitCode.ERROR.code(), r.exitCode(), r.toString());
    assertEquals("fifochan inspect: /dev/fd/7: file descriptor 7 is not open\n", r.err());
  }
}
