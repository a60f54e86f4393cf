package dev.fifochan.cli;

import dev.fifochan.WireVersion;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --wire-version 1.0|1.1}. */
public final class WireVersionConverter implements ITypeConverter<WireVersion> {
  @Override
  public WireVersion convert(String value) {
    switch (value) {
      case "1.1":
        return WireVersion.V1_1;
      case "1.0":
        return WireVersion.V1_0;
      default:
        throw new TypeConversionException("'" + value + "' is not a wire format version: use 1.1 (the default) or 1.0");
    }
  }
}
