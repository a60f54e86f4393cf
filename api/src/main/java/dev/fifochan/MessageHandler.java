package dev.fifochan;

/**
 * Receives decoded messages from {@link Receiver#poll(MessageHandler, int, java.time.Duration)}, on
 * the polling thread.
 *
 * @param <T> the type of the messages
 */
@FunctionalInterface
public interface MessageHandler<T> {

  /**
   * Handles one message.
   *
   * @param message the decoded value
   * @param headers the frame's headers ({@link Headers#empty()} if none); a view valid only during
   *     this call ({@link Headers#copy()} to keep them)
   * @throws Exception to stop polling; the message counts as received, and {@code poll} rethrows it
   *     (checked exceptions other than {@link java.io.IOException} wrapped in
   *     {@link java.lang.reflect.UndeclaredThrowableException})
   */
  void onMessage(T message, Headers headers) throws Exception;
}
