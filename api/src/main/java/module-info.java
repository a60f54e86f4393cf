/**
 * fifochan: typed messages between processes over byte streams (named pipes, pipes, sockets, files).
 *
 * <p>{@code dev.fifochan} is the API ({@link dev.fifochan.Sender}, {@link dev.fifochan.Receiver},
 * codecs, configuration, exceptions); {@code dev.fifochan.spi} is the small interface transports
 * implement. {@code dev.fifochan.internal} (framing, buffers, scheduling) is not exported.
 */
module dev.fifochan {
  exports dev.fifochan;
  exports dev.fifochan.spi;

  uses dev.fifochan.CodecProvider;
}
