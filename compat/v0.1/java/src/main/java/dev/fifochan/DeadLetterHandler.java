package dev.fifochan;

/**
 * Receives the frames a {@link Receiver} could not decode (unknown type tag, malformed payload),
 * so that one bad message does not interrupt the stream. The exception carries the tag, a copy of
 * the raw payload and the stream offset.
 */
@FunctionalInterface
public interface DeadLetterHandler {

  /** Called on the receiving thread; the receiver then goes on with the next frame. */
  void onUndecodable(DecodeException failure);
}
