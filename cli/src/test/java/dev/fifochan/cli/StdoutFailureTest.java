package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.fifochan.Codecs;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure to write stdout other than a reader that closed it (a full disk: {@code fifochan recv F >
 * /dev/full}, or {@code > file} on a full file system) is an I/O error: exit 1 and one line on stderr
 * that names the error and says what happened to the data (cli/README.md: errors are one line on
 * stderr whatever layer fails; 1 = an I/O error; 141 only means "stdout closed by its reader", and
 * then the command stops quietly). Found by a new-user pass: {@code recv} and {@code call} exited 141
 * with nothing on stderr (the messages consumed and lost), {@code inspect} exited 0.
 *
 * <p>The streams are handed in as {@link Cli#main} hands them: the data stream unwrapped (so that its
 * error is seen), stdout's PrintStream over the same target. A plain in-process run, whose only stdout
 * is a PrintStream that hides the error, still fails with one line.
 *
 * <p>By hand: {@code printf '\x89FCH\x02\x06string\x00\x00\x00\x02\x00\x00hi\x00\x00\x00\x00\x01\x00' > hi.bin;
 * bin/fifochan recv --codec string - < hi.bin > /dev/full; echo $?} prints one line and 1;
 * {@code bin/fifochan inspect hi.bin > /dev/full; echo $?} too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdoutFailureTest {
  /** One clean string stream holding "hi". */
  private static final byte[] HI = HexFormat.of().parseHex("89464348" + "02" + "06" + "737472696e67"
      + "000000020000" + "6869" + "000000000100");

  /** What a file on a full file system (or /dev/full) does on every write, or a pipe without a reader. */
  private static final class Failing extends OutputStream {
    private final String error;

    Failing(String error) {
      this.error = error;
    }

    @Override
    public void write(int b) throws IOException {
      throw new IOException(error);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException(error);
    }
  }

  private static final String ENOSPC = "No space left on device";
  private static final String EPIPE = "Broken pipe";

  /** As {@link Cli#main} runs the command: data unwrapped, stdout a PrintStream over the same target. */
  private static InProcess runWithStdout(String error, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Failing stdout = new Failing(error);
    Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), stdout);
    int code = Cli.commandLine(io, args).execute(args);
    return InProcess.of(code, "", err.toString(StandardCharsets.UTF_8));
  }

  /** With only a PrintStream as stdout (as {@link Cli#run}), which hides the error. */
  private static InProcess runWithPrintStreamOnly(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(new Failing(ENOSPC), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return InProcess.of(code, "", err.toString(StandardCharsets.UTF_8));
  }

  private Path sendHi() throws IOException {
    Path fifo = Fifo.create(dir.resolve("f"));
    CompletableFuture.runAsync(() -> {
      try (Sender<String> tx = Fifo.openSender(fifo, Codecs.string())) {
        tx.send("hi");
      } catch (IOException e) {
        // the reader's outcome is what is checked
      }
    });
    return fifo;
  }

  @TempDir Path dir;

  @Test
  void recvToAFullDiskSaysSoInsteadOfExiting141Quietly() throws Exception {
    Path fifo = sendHi();
    InProcess r = runWithStdout(ENOSPC, "recv", "--codec", "string", "--timeout", "20s", fifo.toString());
    assertAll(r.toString(),
        () -> assertEquals(1, r.exitCode, "an I/O error"),
        () -> assertEquals(1, r.err.lines().count(), "one line on stderr"),
        () -> assertTrue(r.err.toLowerCase().contains("space"), "names the error"),
        () -> assertTrue(r.err.contains("lost"), "says what happened to the data"));
  }

  @Test
  void recvWithOnlyAPrintStreamAsStdoutStillFails() throws Exception {
    Path fifo = sendHi();
    InProcess r = runWithPrintStreamOnly("recv", "--codec", "string", "--timeout", "20s", fifo.toString());
    assertAll(r.toString(),
        () -> assertEquals(1, r.exitCode, "an I/O error"),
        () -> assertEquals(1, r.err.lines().count(), "one line on stderr"));
  }

  @Test
  void recvWhoseStdoutReaderLeftStopsQuietlyWith141() throws Exception {
    Path fifo = sendHi();
    InProcess r = runWithStdout(EPIPE, "recv", "--codec", "string", "--timeout", "20s", fifo.toString());
    assertAll(r.toString(),
        () -> assertEquals(141, r.exitCode),
        () -> assertEquals("", r.err, "quiet"));
  }

  @Test
  void inspectToAFullDiskDoesNotExit0() throws Exception {
    Path capture = Files.write(dir.resolve("hi.bin"), HI);
    InProcess r = runWithStdout(ENOSPC, "inspect", capture.toString());
    assertAll(r.toString(),
        () -> assertEquals(1, r.exitCode, "an I/O error: nothing was printed"),
        () -> assertEquals(1, r.err.lines().count(), "one line on stderr"),
        () -> assertTrue(r.err.toLowerCase().contains("space"), "names the error"));
  }

  @Test
  void inspectWithOnlyAPrintStreamAsStdoutDoesNotExit0() throws Exception {
    Path capture = Files.write(dir.resolve("hi.bin"), HI);
    InProcess r = runWithPrintStreamOnly("inspect", capture.toString());
    assertAll(r.toString(),
        () -> assertEquals(1, r.exitCode),
        () -> assertEquals(1, r.err.lines().count(), "one line on stderr"));
  }

  @Test
  void inspectWhoseStdoutReaderLeftStopsQuietlyWith141() throws Exception {
    Path capture = Files.write(dir.resolve("hi.bin"), HI);
    InProcess r = runWithStdout(EPIPE, "inspect", capture.toString());
    assertAll(r.toString(),
        () -> assertEquals(141, r.exitCode),
        () -> assertEquals("", r.err, "quiet"));
  }
}
