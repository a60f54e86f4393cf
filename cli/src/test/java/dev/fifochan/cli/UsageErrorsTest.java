package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Usage errors a command finds itself (a bad value, options that contradict each other) are exit 2
 * and one line that ends with "(see 'fifochan CMD --help')", as picocli's own are; an operation
 * name over 255 UTF-8 bytes is such a bad value (as a bad --service is). A payload that is not UTF-8
 * is reported as "not valid UTF-8", not with the JDK's "Input length = 1". Found by a new-user pass.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UsageErrorsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"recv --count -1 F", "recv --follow -", "recv --codec json --type t F", "demo --burst 0",
      "call --service bad! R S {}", "call --op OP300 R S {}", "serve --echo --op OP300 R S"})
  void aBadValueIsExit2AndPointsToHelp(String line) {
    String[] args = line.replace("OP300", "o".repeat(300)).split(" ");
    for (int i = 0; i < args.length; i++) {
      if (args[i].length() == 1 && Character.isUpperCase(args[i].charAt(0))) {
        args[i] = dir.resolve(args[i]).toString(); // never opened: the value is refused first
      }
    }
    InProcess r = InProcess.run(args);
    String command = "fifochan " + args[0];
    assertAll(r.toString(),
        () -> assertEquals(2, r.exitCode),
        () -> assertEquals(1, r.err.lines().count(), "one line"),
        () -> assertTrue(r.err.strip().endsWith("(see '" + command + " --help')"), "points to --help"));
  }

  @Test
  void aPayloadThatIsNotUtf8SaysSo() throws Exception {
    // A string stream whose one message is the bytes ff fe.
    byte[] stream = HexFormat.of().parseHex("89464348" + "02" + "06" + "737472696e67" + "000000020000" + "fffe"
        + "000000000100");
    Path fifo = dev.fifochan.fifo.Fifo.create(dir.resolve("f"));
    java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        java.nio.file.Files.write(fifo, stream); // the stream's bytes as a writer would send them
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    InProcess r = InProcess.run("recv", "--codec", "string", "--timeout", "30s", fifo.toString());
    writer.get(30, TimeUnit.SECONDS);
    assertAll(r.toString(),
        () -> assertEquals(6, r.exitCode),
        () -> assertTrue(r.err.contains("not valid UTF-8"), "says what is wrong"),
        () -> assertFalse(r.err.contains("Input length"), "not the JDK's text"));
  }
}
