package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fifochan.ChecksumMismatchException;
import dev.fifochan.CorruptFrameException;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.PeerClosedException;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.TruncatedStreamException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

@Timeout(10)
class ConvertersTest {
  @Test
  void durations() {
    assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
    assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
    assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
    assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
    assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
    assertEquals(Duration.ofNanos(250_000), DurationConverter.parse("250us"));
    assertEquals(Duration.ofSeconds(5), DurationConverter.parse("PT5S"));
    assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "", "s", "-1s", "5 parsecs", "1.s", "PT-5S"})
  void badDurations(String text) {
    assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));
  }

  @Test
  void formatsDurationsBack() {
    assertEquals("500ms", DurationConverter.format(Duration.ofMillis(500)));
    assertEquals("5s", DurationConverter.format(Duration.ofSeconds(5)));
    assertEquals("2m", DurationConverter.format(Duration.ofMinutes(2)));
  }

  @Test
  void modes() {
    ModeConverter m = new ModeConverter();
    assertEquals(0600, m.convert("600"));
    assertEquals(0640, m.convert("0640"));
    assertEquals(07, m.convert("7"));
    assertThrows(TypeConversionException.class, () -> m.convert("800"));
    assertThrows(TypeConversionException.class, () -> m.convert("1777"));
    assertThrows(TypeConversionException.class, () -> m.convert("rw"));
  }

  @Test
  void failuresMapToDistinctExitCodes() {
    assertEquals(ExitCode.TIMEOUT, Failures.exitCodeOf(new OpenTimeoutException("FIFO f", Duration.ofSeconds(1))));
    assertEquals(ExitCode.TRUNCATED, Failures.exitCodeOf(new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, 7, 1)));
    assertEquals(ExitCode.CORRUPT, Failures.exitCodeOf(new CorruptFrameException(CorruptFrameException.Reason.BAD_COMBINATION, 3, 0x03)));
    assertEquals(ExitCode.CORRUPT, Failures.exitCodeOf(new ChecksumMismatchException(1, 2, 3)));
    assertEquals(ExitCode.PEER_GONE, Failures.exitCodeOf(new PeerClosedException("gone", null)));
    assertEquals(ExitCode.ABORTED, Failures.exitCodeOf(new StreamAbortedException("boom", true, 9)));
    assertEquals(ExitCode.BAD_MESSAGE, Failures.exitCodeOf(new MessageTooLongException(5000, 4096, MessageTooLongException.Limit.ATOMIC_WRITE)));
    assertEquals(ExitCode.CANNOT_RUN, Failures.exitCodeOf(new dev.fifochan.fifo.NativeUnavailableException(
        dev.fifochan.fifo.NativeUnavailableException.Reason.values()[0], "linux-x86_64", null, null)));
    assertEquals(ExitCode.ERROR, Failures.exitCodeOf(new NoSuchFileException("/x")));
    assertEquals(ExitCode.TRUNCATED,
        Failures.exitCodeOf(new UncheckedIOException(new TruncatedStreamException(TruncatedStreamException.Reason.NO_END_OF_STREAM, 7, 1))));
  }

  @Test
  void streamFailuresNameTheOffsetOnce() {
    CliException e = Failures.of("cap.bin", new CorruptFrameException(CorruptFrameException.Reason.RESERVED_FLAGS, 19, 0x04));
    assertEquals("cap.bin: corrupt frame at offset 19: reserved flag bits set in 04", e.getMessage());
    assertEquals(ExitCode.CORRUPT, e.exitCode());
  }

  @Test
  void exitCodesAreDistinct() {
    assertEquals(ExitCode.values().length,
        java.util.Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code).distinct().count());
    assertEquals(2, ExitCode.USAGE.code());
  }

  @Test
  void subjectIsPrefixedUnlessTheMessageAlreadyNamesIt() {
    assertEquals("f: no such file or directory", Failures.of("f", new NoSuchFileException("f")).getMessage());
    assertEquals("refusing /tmp/f: it is not a FIFO",
        Failures.of("/tmp/f", new java.io.IOException("refusing /tmp/f: it is not a FIFO")).getMessage());
    assertEquals("the reader of FIFO f is gone",
        Failures.of("f", new java.io.IOException("the reader of FIFO f is gone")).getMessage());
    assertEquals("f: buffer full", Failures.of("f", new java.io.IOException("buffer full")).getMessage());
  }
}
