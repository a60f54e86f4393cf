package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * stdout carries only messages, whatever the JVM prints: every kind of diagnostic output the JVM
 * writes on its own stdout (unified logging, GC logs, flag dumps, JIT logs, thread dumps on
 * SIGQUIT, crash reports) goes to stderr when fifochan runs through its launcher.
 */
@Timeout(120)
class JvmOutputIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  private static final String TABLE = ""
      + "    OFFSET  RECORD    FLAGS      LENGTH  TAG                       PAYLOAD\n"
      + "         0  preamble                                               codec=string version=1\n"
      + "        12  frame     CRC             2  \"greeting\"                \"hi\"\n"
      + "        32  end       EOS|CRC         0                            \n"
      + "        42  clean end of stream: 1 writer session, 1 frame, 2 payload bytes\n";

  @TempDir
  Path dir;

  private static Path vector(String name) {
    return InProcess.repoRoot().resolve("testdata/vectors/" + name);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "-Xlog:gc                                             | [info][gc]",
      "-verbose:gc                                          | [info][gc]",
      "-Xlog:gc*:stdout                                     | [gc",
      "-Xlog:os                                             | [os]",
      "-Xlog:cds                                            | [cds]",
      "-XX:+PrintFlagsFinal                                 | UseSerialGC",
      "-XX:+PrintCommandLineFlags                           | -XX:+UseSerialGC",
      "-XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation | java.lang.Object::<init>",
      "-XX:+UseBiasedLocking                                | UseBiasedLocking",
  })
  void diagnosticOutputGoesToStderr(String javaOpts, String marker) {
    Launcher.Run r = Launcher.repo().javaOpts(javaOpts)
        .run(dir, LIMIT, "inspect", vector("string-tag-checksum.bin").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(TABLE, r.out(), "stdout holds the table and nothing else");
    assertTrue(r.err().contains(marker), "the JVM's output (" + marker + ") is on stderr: " + r);
  }

  @Test
  void threadDumpOnSigquitGoesToStderrWhileRecvKeepsItsStdoutExact() throws Exception {
    Path fifo = Jar.mkfifo(dir.resolve("f"));
    Launcher.Run recv = Launcher.repo().start(dir, "recv", "--codec", "string", "--timeout", "60s", fifo.toString());
    Launcher.Run send = Launcher.repo().pipedStdin().start(dir, "send", "--codec", "string", fifo.toString());
    send.stdin().write("one\n".getBytes(StandardCharsets.UTF_8));
    send.stdin().flush();
    // recv flushes its stdout whenever it waits: the first message there means its JVM is up.
    recv.waitFor("the first message", LIMIT, () -> recv.out().equals("one\n"));
    new ProcessBuilder("kill", "-QUIT", Long.toString(recv.process.pid())).inheritIO().start().waitFor();
    recv.waitFor("the thread dump on stderr", LIMIT, () -> recv.err().contains("Full thread dump"));
    send.stdin().write("two\n".getBytes(StandardCharsets.UTF_8));
    send.stdin().close();
    send.await(LIMIT);
    recv.await(LIMIT);
    assertEquals(0, send.exitCode(), send.toString());
    assertEquals(0, recv.exitCode(), recv.toString());
    assertEquals("one\ntwo\n", recv.out());
    assertTrue(recv.err().contains("\"main\""), recv.err());
  }

  @Test
  void withStderrClosedTheJvmsOutputGoesNowhere() throws Exception {
    Path out = dir.resolve("out.txt");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "\"$F\" inspect \"$V\" 2>&- > \"$O\"; echo \"exit $?\"")
        .redirectErrorStream(true).redirectOutput(dir.resolve("sh.txt").toFile());
    pb.environment().put("F", InProcess.repoRoot().resolve("bin/fifochan").toString());
    pb.environment().put("V", vector("string-tag-checksum.bin").toString());
    pb.environment().put("O", out.toString());
    pb.environment().put("FIFOCHAN_CACHE_DIR", Launcher.cacheDir().toString());
    pb.environment().put("FIFOCHAN_JAVA_OPTS", "-Xlog:gc -XX:+PrintCommandLineFlags");
    Process q = pb.start();
    assertTrue(q.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "hung");
    assertEquals("exit 0\n", Files.readString(dir.resolve("sh.txt")));
    assertEquals(TABLE, Files.readString(out));
  }

  @Test
  void crashReportGoesToStderr() throws IOException {
    Launcher.Run r = Launcher.repo()
        .javaOpts("-Xmx16m -XX:+CrashOnOutOfMemoryError -XX:-CreateCoredumpOnCrash -XX:ErrorFile=" + dir + "/hs_err.log")
        .run(dir, LIMIT, "inspect", "--max-frame-length", "200000000", hugeFrame().toString());
    assertEquals("", r.out(), "stdout: " + r);
    assertTrue(r.err().contains("A fatal error has been detected"), r.toString());
    assertTrue(Files.exists(dir.resolve("hs_err.log")), "the JVM wrote its crash report file");
  }

  /**
   * A stream whose first frame announces 100 MB: the reader allocates that much for it, which runs
   * a 16 MiB heap out of memory.
   */
  static Path hugeFrame(Path dir) throws IOException {
    byte[] preamble = {(byte) 0x89, 'F', 'C', 'H', 1, 5, 'b', 'y', 't', 'e', 's'};
    byte[] header = {0x05, (byte) 0xF5, (byte) 0xE1, 0x00, 0, 0};
    byte[] all = new byte[preamble.length + header.length];
    System.arraycopy(preamble, 0, all, 0, preamble.length);
    System.arraycopy(header, 0, all, preamble.length, header.length);
    return Files.write(dir.resolve("huge-frame.bin"), all);
  }

  private Path hugeFrame() throws IOException {
    return hugeFrame(dir);
  }
}
