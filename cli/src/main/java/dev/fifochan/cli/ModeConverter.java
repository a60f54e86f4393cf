package dev.fifochan.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses octal permission bits as {@code chmod} takes them: {@code 600}, {@code 0640}. */
public final class ModeConverter implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    String s = value.trim();
    if (!s.matches("0?[0-7]{1,3}")) {
      throw new TypeConversionException("invalid mode '" + value + "': use octal permission bits, e.g. 600 or 0640");
    }
    return Integer.parseInt(s, 8);
  }
}
