package dev.fifochan.spi;

/**
 * A two-way connection: an outbound {@link FrameSink} and an inbound {@link FrameSource} to the same
 * peer (for request/response). Made by a {@link Connector} or an {@link Acceptor}.
 */
public interface Duplex {

  /** The outbound half; wrap it with {@code Sender.over(duplex.sink(), codec, config)}. */
  FrameSink sink();

  /** The inbound half; wrap it with {@code Receiver.over(duplex.source(), codec, config)}. */
  FrameSource source();

  /** A description of the connection, for messages and logs. */
  String description();

  /** Closes both halves at once. Any thread; idempotent. */
  void close();
}
