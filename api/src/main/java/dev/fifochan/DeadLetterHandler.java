package dev.fifochan;

/**
 * Receives the frames a {@link Receiver} could not decode (unknown type tag, malformed tag or headers,
 * undecodable payload), so that one bad message does not interrupt the stream. The exception carries
 * the tag, a copy of the raw payload and the position. Set it with
 * {@link ChannelConfig.Builder#deadLetters(DeadLetterHandler)}; without one the receiver throws the
 * {@link DecodeException}.
 */
@FunctionalInterface
public interface DeadLetterHandler {

  /**
   * Called on the receiving thread; the receiver then goes on with the next frame. A runtime exception
   * thrown here propagates to the receiving call.
   */
  void onUndecodable(DecodeException failure);
}
