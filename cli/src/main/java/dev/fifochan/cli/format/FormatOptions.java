package dev.fifochan.cli.format;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.fifochan.WireFormat;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.cli.Failures;
import dev.fifochan.protobuf.DescriptorSets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that choose a codec and its text form; shared by {@code send} and {@code recv}. */
public final class FormatOptions {
  @Option(names = {"-c", "--codec"}, paramLabel = "CODEC", defaultValue = "json",
      description = "json, string, bytes or protobuf (default: ${DEFAULT-VALUE}).")
  CodecName codec;

  @Option(names = {"-t", "--type"}, paramLabel = "NAME", split = ",",
      description = {"json (send): the type tag of every frame.",
          "protobuf: the full message name(s) from --descriptor-set; with several, JSON lines name"
              + " theirs in an \"@type\" member."})
  List<String> types = new ArrayList<>();

  @Option(names = "--descriptor-set", paramLabel = "FILE",
      description = "protobuf: a FileDescriptorSet (protoc --include_imports --descriptor_set_out=FILE).")
  Path descriptorSet;

  @Option(names = "--bytes-framing", paramLabel = "whole|u32", defaultValue = "whole",
      description = "bytes: 'whole' = all of stdin is one message, payloads are written back to back;"
          + " 'u32' = 4-byte big-endian length + bytes per message (default: ${DEFAULT-VALUE}).")
  BytesFraming bytesFraming;

  @Option(names = "--max-frame-length", paramLabel = "BYTES", defaultValue = "" + WireFormat.DEFAULT_MAX_FRAME_LENGTH,
      description = "Largest payload sent or accepted (default: ${DEFAULT-VALUE}).")
  int maxFrameLength;

  /** The chosen codec's name. */
  public CodecName codec() {
    return codec;
  }

  /** The largest payload. */
  public int maxFrameLength() {
    return maxFrameLength;
  }

  /**
   * Builds the format the options describe.
   *
   * @throws CliException {@link ExitCode#USAGE} for contradictory options, {@link ExitCode#ERROR}
   *     for an unreadable descriptor set
   */
  public MessageFormat<?> build() throws CliException {
    if (maxFrameLength < 0) {
      throw usage("--max-frame-length must not be negative");
    }
    if (codec != CodecName.protobuf && descriptorSet != null) {
      throw usage("--descriptor-set needs --codec protobuf");
    }
    switch (codec) {
      case json:
        if (types.size() > 1) {
          throw usage("--codec json takes one --type (the tag of every frame), not " + types);
        }
        return new JsonLinesFormat(types.isEmpty() ? "" : types.get(0));
      case string:
        noType();
        return new StringLinesFormat();
      case bytes:
        noType();
        return new BytesFormat(bytesFraming, maxFrameLength);
      default:
        return protobuf();
    }
  }

  private void noType() throws CliException {
    if (!types.isEmpty()) {
      throw usage("--type applies to --codec json and protobuf only");
    }
  }

  private MessageFormat<?> protobuf() throws CliException {
    if (descriptorSet == null) {
      throw usage("--codec protobuf needs --descriptor-set FILE (and --type NAME if it has several message types)");
    }
    Map<String, Descriptor> all;
    try {
      List<FileDescriptor> files = DescriptorSets.load(descriptorSet);
      all = DescriptorSets.messageTypes(files);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(ExitCode.ERROR, descriptorSet + ": not a usable descriptor set: "
          + Failures.of(null, e).getMessage(), e);
    }
    List<Descriptor> chosen = new ArrayList<>();
    if (types.isEmpty()) {
      if (all.size() != 1) {
        throw usage("name the message type with --type; " + descriptorSet + " has " + all.keySet());
      }
      chosen.addAll(all.values());
    }
    for (String name : types) {
      Descriptor d = all.get(name);
      if (d == null) {
        throw usage("no message type '" + name + "' in " + descriptorSet + "; it has " + all.keySet());
      }
      chosen.add(d);
    }
    return new ProtobufJsonFormat(chosen, all.values());
  }

  private static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }
}
