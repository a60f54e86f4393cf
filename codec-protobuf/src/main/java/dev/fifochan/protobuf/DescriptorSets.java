package dev.fifochan.protobuf;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a {@code FileDescriptorSet}, as {@code protoc --descriptor_set_out=FILE --include_imports}
 * writes it, into descriptors for {@link ProtobufCodec#dynamic}. Files may appear in any order. A
 * dependency the set lacks is taken from the well-known types built into protobuf-java (e.g.
 * {@code google/protobuf/timestamp.proto}), so sets written without {@code --include_imports} work
 * when they import nothing else.
 */
public final class DescriptorSets {
  private static final Map<String, FileDescriptor> WELL_KNOWN = wellKnown();

  private DescriptorSets() {}

  /**
   * Reads and resolves the descriptor set in {@code file}.
   *
   * @return the set's files, in the set's order
   * @throws IOException if the file cannot be read or is not a {@code FileDescriptorSet}
   * @throws IllegalArgumentException if a dependency is missing, the imports form a cycle, or a file is invalid
   */
  public static List<FileDescriptor> load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return resolve(FileDescriptorSet.parseFrom(in));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Resolves the files of {@code set} against each other.
   *
   * @return the set's files, in the set's order
   * @throws IllegalArgumentException if a dependency is missing, the imports form a cycle, a file
   *     name appears twice, or a file is invalid
   */
  public static List<FileDescriptor> resolve(FileDescriptorSet set) {
    Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      if (protos.putIfAbsent(proto.getName(), proto) != null) {
        throw new IllegalArgumentException("descriptor set has two files named " + proto.getName());
      }
    }
    Map<String, FileDescriptor> built = new HashMap<>();
    List<FileDescriptor> files = new ArrayList<>(protos.size());
    for (String name : protos.keySet()) {
      files.add(build(name, protos, built, new HashSet<>(), name));
    }
    return List.copyOf(files);
  }

  /** Every message type of {@code files}, nested ones included, by full name (e.g. {@code pkg.Outer.Inner}). */
  public static Map<String, Descriptor> messageTypes(Collection<FileDescriptor> files) {
    Map<String, Descriptor> byName = new LinkedHashMap<>();
    for (FileDescriptor file : files) {
      for (Descriptor type : file.getMessageTypes()) {
        addWithNested(type, byName);
      }
    }
    return byName;
  }

  private static void addWithNested(Descriptor type, Map<String, Descriptor> byName) {
    byName.putIfAbsent(type.getFullName(), type);
    for (Descriptor nested : type.getNestedTypes()) {
      addWithNested(nested, byName);
    }
  }

  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built, Set<String> inProgress, String importedBy) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      FileDescriptor wellKnown = WELL_KNOWN.get(name);
      if (wellKnown != null) {
        return wellKnown;
      }
      throw new IllegalArgumentException("descriptor set lacks " + name + ", imported by " + importedBy
          + " (write the set with protoc --include_imports)");
    }
    if (!inProgress.add(name)) {
      throw new IllegalArgumentException("import cycle through " + name);
    }
    FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      dependencies[i] = build(proto.getDependency(i), protos, built, inProgress, name);
    }
    inProgress.remove(name);
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("invalid file " + name + " in descriptor set: " + e.getMessage(), e);
    }
  }

  private static Map<String, FileDescriptor> wellKnown() {
    Map<String, FileDescriptor> files = new HashMap<>();
    Stream.of(AnyProto.getDescriptor(), ApiProto.getDescriptor(), DescriptorProtos.getDescriptor(),
            DurationProto.getDescriptor(), EmptyProto.getDescriptor(), FieldMaskProto.getDescriptor(),
            JavaFeaturesProto.getDescriptor(), SourceContextProto.getDescriptor(),
            StructProto.getDescriptor(), TimestampProto.getDescriptor(), TypeProto.getDescriptor(),
            WrappersProto.getDescriptor())
        .forEach(f -> files.put(f.getName(), f));
    return Map.copyOf(files);
  }
}
