package dev.fifochan.cli.format;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
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

/**
 * The options that choose a codec and its text form, shared by {@code send} and {@code recv}. The
 * options whose meaning depends on the direction ({@code --type}, {@code --bytes-framing},
 * {@code --max-frame-length}) are declared by {@link SendFormatOptions} and
 * {@link RecvFormatOptions}, so that each command's help describes them for what it does.
 */
public abstract class FormatOptions {
  @Option(names = {"-c", "--codec"}, paramLabel = "CODEC", defaultValue = "json",
      description = "json, string, bytes or protobuf (default: ${DEFAULT-VALUE}).")
  CodecName codec;

  @Option(names = "--descriptor-set", paramLabel = "FILE",
      description = "protobuf: a FileDescriptorSet (protoc --include_imports --descriptor_set_out=FILE).")
  Path descriptorSet;

  FormatOptions() {}

  /** The chosen codec's name. */
  public CodecName codec() {
    return codec;
  }

  /** The largest payload. */
  public abstract int maxFrameLength();

  /** The names given with {@code --type}. */
  abstract List<String> types();

  /** The framing of the {@code bytes} codec's input or output. */
  abstract BytesFraming bytesFraming();

  /**
   * Builds the format the options describe.
   *
   * @throws CliException {@link ExitCode#USAGE} for contradictory options, {@link ExitCode#ERROR}
   *     for an unreadable descriptor set
   */
  public MessageFormat<?> build() throws CliException {
    List<String> types = types();
    int maxFrameLength = maxFrameLength();
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
        return new BytesFormat(bytesFraming(), maxFrameLength);
      default:
        return protobuf(types);
    }
  }

  private void noType() throws CliException {
    if (!types().isEmpty()) {
      throw usage("--type applies to --codec json and protobuf only");
    }
  }

  private MessageFormat<?> protobuf(List<String> types) throws CliException {
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

  static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }
}
