package dev.fifochan.cli.format;

import dev.fifochan.WireFormat;
import dev.fifochan.cli.CliException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The codec options of {@code recv}: how messages become stdout. */
public final class RecvFormatOptions extends FormatOptions {
  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = {"protobuf: the full message name(s) from --descriptor-set to accept; with several,"
          + " each printed line names its type first, in an \"@type\" member."})
  List<String> types = new ArrayList<>();

  @Option(names = "--bytes-framing", paramLabel = "whole|u32", defaultValue = "whole",
      description = "bytes: 'whole' = payloads are written to stdout back to back; 'u32' = each payload is"
          + " written as a 4-byte big-endian length and its bytes (default: ${DEFAULT-VALUE}).")
  BytesFraming bytesFraming;

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "" + WireFormat.DEFAULT_MAX_FRAME_LENGTH,
      description = "Largest payload to accept; a longer frame is a corrupt stream (default: ${DEFAULT-VALUE}).")
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

  /**
   * {@inheritDoc} A json reader prints every payload whatever its tag, so {@code --type} with
   * {@code --codec json} would be silently ignored: it is refused instead.
   */
  @Override
  public MessageFormat<?> build() throws CliException {
    if (codec() == CodecName.json && !types.isEmpty()) {
      throw usage("--type applies to recv with --codec protobuf only (json prints every payload whatever its tag)");
    }
    return super.build();
  }
}
