package dev.fifochan.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations the way shell users write them: a whole or decimal number and a unit,
 * {@code ns us ms s m h} ({@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}); ISO-8601
 * ({@code PT5S}) is accepted too. A bare number without a unit is refused, to avoid guessing.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses {@code text}.
   *
   * @throws TypeConversionException with a message that shows valid examples
   */
  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(s);
    if (m.matches()) {
      double amount = Double.parseDouble(m.group(1));
      double nanos = amount * nanosPer(m.group(2));
      if (nanos > Long.MAX_VALUE) {
        throw invalid(text);
      }
      return Duration.ofNanos(Math.round(nanos));
    }
    if (s.startsWith("pt") || s.startsWith("p")) {
      try {
        Duration d = Duration.parse(text.trim());
        if (!d.isNegative()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // fall through
      }
    }
    throw invalid(text);
  }

  /** {@code d} the way a user would write it: {@code 500ms}, {@code 5s}, {@code 2m}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 60_000_000_000L == 0 && nanos > 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos / 1000 + "us";
  }

  private static double nanosPer(String unit) {
    switch (unit) {
      case "ns":
        return 1;
      case "us":
      case "µs":
        return 1e3;
      case "ms":
        return 1e6;
      case "s":
        return 1e9;
      case "m":
        return 60e9;
      default:
        return 3600e9;
    }
  }

  private static TypeConversionException invalid(String text) {
    return new TypeConversionException("invalid duration '" + text
        + "': use a number and a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 2m");
  }
}
