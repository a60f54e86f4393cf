/**
 * The {@code protobuf} codec for fifochan, built on protobuf-java. protobuf-java has no module
 * descriptor; it is an automatic module named {@code com.google.protobuf} by its manifest.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.fifochan.protobuf {
  requires transitive dev.fifochan;
  requires transitive com.google.protobuf;

  exports dev.fifochan.protobuf;

  provides dev.fifochan.CodecProvider with dev.fifochan.protobuf.ProtobufCodecProvider;
}
