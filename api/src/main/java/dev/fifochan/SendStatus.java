package dev.fifochan;

/**
 * What an offer did with a message ({@link #of(long)} names {@link Sender#offer(Object)}'s numeric
 * result), and what a transport's {@link dev.fifochan.spi.FrameSink#commitFrame} answers. Only
 * {@link #ACCEPTED} means the message will be written; for every other status no byte of it was or
 * will be written.
 */
public enum SendStatus {
  /**
   * The message is whole in the sender's buffer or already in the transport, and will be written in
   * order unless the sender later fails.
   */
  ACCEPTED,
  /** The transport has no room now (the reader is not keeping up), or another thread holds the sender. */
  BACK_PRESSURED,
  /** The transport has no peer to write to now (e.g. a network transport between reconnects). */
  NOT_CONNECTED,
  /** The sender is closed, aborted or failed. */
  CLOSED;

  /**
   * The status of {@link Sender#offer(Object)}'s result: {@link #ACCEPTED} for a sequence number (1 or
   * more), otherwise the status of {@link Sender#BACK_PRESSURED}, {@link Sender#NOT_CONNECTED} or
   * {@link Sender#CLOSED}.
   *
   * @throws IllegalArgumentException for 0 or another negative number (no offer returns them)
   */
  public static SendStatus of(long offerResult) {
    if (offerResult > 0) {
      return ACCEPTED;
    }
    if (offerResult == Sender.BACK_PRESSURED) {
      return BACK_PRESSURED;
    }
    if (offerResult == Sender.NOT_CONNECTED) {
      return NOT_CONNECTED;
    }
    if (offerResult == Sender.CLOSED) {
      return CLOSED;
    }
    throw new IllegalArgumentException("not a result of Sender.offer: " + offerResult);
  }
}
