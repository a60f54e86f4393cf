package dev.fifochan.cli.format;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The codec options of {@code call}. */
public final class CallFormatOptions extends FormatOptions {
  @Option(names = {"-c", "--codec"}, paramLabel = "CODEC", defaultValue = "json",
      description = "How the request is read and the response printed: json (one JSON value), string, bytes or protobuf (JSON in protobuf's mapping; needs --descriptor-set) (default: ${DEFAULT-VALUE}).")
  CodecName codec;

  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = "json: the type tag of the request; protobuf: the request's (and response's) full message name(s) from --descriptor-set.")
  List<String> types = new ArrayList<>();

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "16777216",
      description = "Largest request or response payload (default: ${DEFAULT-VALUE}).")
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
