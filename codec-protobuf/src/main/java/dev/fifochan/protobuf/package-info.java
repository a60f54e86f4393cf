/**
 * The {@code protobuf} codec for fifochan channels, built on protobuf-java:
 * {@link dev.fifochan.protobuf.ProtobufCodec} for generated or run-time message types tagged by full
 * name, {@link dev.fifochan.protobuf.DescriptorSets} to load schemas from {@code protoc} descriptor
 * sets, {@link dev.fifochan.protobuf.ProtobufCodecProvider} for discovery by name, and
 * {@link dev.fifochan.protobuf.DelimitedProtobufReader}/{@link dev.fifochan.protobuf.DelimitedProtobufWriter}
 * for protobuf's plain length-delimited streams, a compatibility mode outside fifochan's wire format.
 */
package dev.fifochan.protobuf;
