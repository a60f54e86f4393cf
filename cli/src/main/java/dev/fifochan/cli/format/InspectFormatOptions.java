package dev.fifochan.cli.format;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The codec options of {@code inspect}: which writer codecs it accepts and how it shows payload values. */
public final class InspectFormatOptions extends FormatOptions {
  @Option(names = {"-c", "--codec"}, paramLabel = "CODEC", defaultValue = "bytes",
      description = {"The reader's codec: which writers' codecs are accepted (wire format §7: bytes accepts every"
          + " one) and how payloads are shown: json, string and protobuf add each frame's decoded value, or the"
          + " error a reader would get (default: ${DEFAULT-VALUE}: payloads as bytes only)."})
  CodecName codec;

  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = "protobuf: the full message name(s) from --descriptor-set to decode (default: the only one).")
  List<String> types = new ArrayList<>();

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "16777216",
      description = "Largest payload accepted; a longer frame is a corrupt stream (default: ${DEFAULT-VALUE}).")
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
    return BytesFraming.whole;
  }
}
