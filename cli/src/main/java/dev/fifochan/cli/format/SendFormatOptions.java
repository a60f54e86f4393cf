package dev.fifochan.cli.format;

import dev.fifochan.WireFormat;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The codec options of {@code send}: how stdin becomes messages. */
public final class SendFormatOptions extends FormatOptions {
  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = {"json: the type tag of every frame (a reader with a JsonCodec registry picks the class by it).",
          "protobuf: the full message name(s) from --descriptor-set; with several, each JSON line names its"
              + " type in an \"@type\" member."})
  List<String> types = new ArrayList<>();

  @Option(names = "--bytes-framing", paramLabel = "whole|u32", defaultValue = "whole",
      description = "bytes: 'whole' = all of stdin is one message; 'u32' = stdin holds records of a 4-byte"
          + " big-endian length and that many bytes, one message each (default: ${DEFAULT-VALUE}).")
  BytesFraming bytesFraming;

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "" + WireFormat.DEFAULT_MAX_FRAME_LENGTH,
      description = "Largest payload to send; a longer message is refused (default: ${DEFAULT-VALUE}).")
  int maxFrameLength;

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
