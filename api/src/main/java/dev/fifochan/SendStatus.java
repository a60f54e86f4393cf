package dev.fifochan;

/**
 * What {@link Sender#offer(Object)} did with a message. Only {@link #ACCEPTED} means the message will
 * be written; for every other status no byte of it was or will be written.
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
  CLOSED
}
