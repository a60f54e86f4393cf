/** The {@code json} codec for fifochan, built on Jackson. */
module dev.fifochan.json {
  requires transitive dev.fifochan;
  requires transitive com.fasterxml.jackson.databind;

  exports dev.fifochan.json;

  provides dev.fifochan.CodecProvider with dev.fifochan.json.JsonCodecProvider;
}
