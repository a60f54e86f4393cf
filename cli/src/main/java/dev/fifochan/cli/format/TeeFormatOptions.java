package dev.fifochan.cli.format;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The codec options of {@code tee}: how the copy of the records is printed on stdout. */
public final class TeeFormatOptions extends FormatOptions {
  @Option(names = {"-c", "--codec"}, paramLabel = "CODEC", defaultValue = "json",
      description = "How to print the copy: as json, string, bytes or protobuf text, as recv prints it (default:"
          + " ${DEFAULT-VALUE}). The stream itself is passed on unchanged whatever its codec.")
  CodecName codec;

  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = "protobuf: the full message name(s) from --descriptor-set to print the copy with.")
  List<String> types = new ArrayList<>();

  @Option(names = "--bytes-framing", paramLabel = "whole|u32", defaultValue = "whole",
      description = "bytes: how the copy prints payloads, back to back (whole) or length-prefixed (u32)"
          + " (default: ${DEFAULT-VALUE}).")
  BytesFraming bytesFraming;

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "16777216",
      description = "Largest payload tee decodes for the copy; a longer frame is still passed on, and reported"
          + " (default: ${DEFAULT-VALUE}).")
  int maxFrameLength;

  @Override
  public CodecName codec() {
    return codec;
  }

  @Override
  public int maxFrameLength() {
    return maxFrameLength;
  }

  @Override
  List<String> types() {
    return types;
  }

  @Override
  BytesFraming bytesFraming() {
    return bytesFraming;
  }
}
