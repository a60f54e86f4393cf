/** The {@code json} codec for fifochan, built on Jackson. */
module dev.fifochan.json {
  requires transitive dev.fifochan;
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.module.paramnames;

  exports dev.fifochan.json;

  provides dev.fifochan.CodecProvider with dev.fifochan.json.JsonCodecProvider;
}
