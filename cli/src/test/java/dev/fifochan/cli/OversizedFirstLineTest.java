package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first input line longer than the maximum frame length is input invalid from the start: {@code send
 * --codec string|json} fails at once with exit 6, without creating the FIFO and without waiting for a
 * reader, as {@code --codec bytes} does (cli/README.md, "send checks its input before it waits for a
 * reader"). Found by a new-user pass: string and json created the FIFO and waited for a reader (exit 3
 * without one; with one, they opened the stream only to abort it, exit 6).
 *
 * <p>By hand: {@code python3 -c "print('a'*20000000)" | bin/fifochan send --codec string --create --timeout 3s /tmp/nf; echo $?}
 * prints one line and 6, and leaves no /tmp/nf.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OversizedFirstLineTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"string", "json"})
  void aFirstLineOverTheMaximumFrameLengthFailsAtOnceWithoutCreatingTheFifo(String codec) {
    Path fifo = dir.resolve("nf");
    String body = "a".repeat(100);
    String line = codec.equals("json") ? "\"" + body + "\"\n" : body + "\n";
    InProcess r = InProcess.run(line.getBytes(StandardCharsets.UTF_8),
        "send", "--codec", codec, "--create", "--max-frame-length", "50", "--timeout", "3s", fifo.toString());
    assertAll(r.toString(),
        () -> assertEquals(6, r.exitCode),
        () -> assertFalse(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS), "the FIFO was created"));
  }
}
