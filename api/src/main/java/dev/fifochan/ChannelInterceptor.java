package dev.fifochan;

/**
 * Observes the messages of the senders and receivers whose {@link ChannelConfig} carries it
 * ({@link ChannelConfig.Builder#interceptors}): the seam for metrics and tracing modules. Every
 * method has a default that does nothing, so an interceptor implements only what it needs.
 *
 * <h2>Sending</h2>
 * {@link Sender#send} and {@link Sender#offer} call {@link #beforeSend} on the sending thread before
 * the message is encoded (before the sender's lock is taken, so time spent waiting for the lock and for
 * room in the transport lies between the two calls), and {@link #afterSend} on the same thread once
 * the call's outcome is known: accepted with its sequence number, not accepted by an offer, or failed.
 * {@code beforeSend} may return headers to add to the frame: a tracing interceptor injects W3C
 * {@code traceparent} and {@code tracestate} there. They are merged with the caller's headers (an
 * interceptor's value replaces the caller's for the same key; later interceptors replace earlier
 * ones) and checked as the caller's are. <b>In wire format 1.0 no frame can carry headers:</b> the
 * interceptor is still called (metrics count every message) and is told the version
 * ({@link ChannelInfo#headersAllowed()} is false), and whatever headers it returns are dropped without
 * an error, so an interceptor never makes a 1.0 sender fail or a 1.0 reader see a header.
 *
 * <h2>Receiving</h2>
 * A {@link Receiver} calls {@link #afterReceive} on the receiving thread for every message it
 * delivers, after decoding it and before handing it over ({@code receive}, {@code receiveEnvelope},
 * iteration, {@code poll}; {@code pollFrames} with a null message: frames are not decoded there). The
 * headers are a view valid during the call ({@link Headers#copy()} to keep them). Around each call of
 * a {@link MessageHandler} ({@link Receiver#poll(MessageHandler, int, java.time.Duration)}) or
 * {@link FrameHandler} ({@link Receiver#pollFrames}) it opens the interceptors' {@link Scope}s
 * ({@link #openScope}) and closes them when the handler returns or throws: a tracing interceptor makes
 * the context extracted from the headers current there, so the handler's work joins the writer's
 * trace. Frames that cannot be decoded (dead letters) are not delivered and not seen here.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Order</b>: with several interceptors, {@code beforeSend}, {@code afterReceive} and
 *       {@code openScope} run in the configured order; {@code afterSend} and the scopes' closing in the
 *       reverse order.</li>
 *   <li><b>Pairing</b>: every {@code beforeSend} that was called is followed by exactly one
 *       {@code afterSend} on the same thread; every scope opened is closed once, on the thread that
 *       opened it.</li>
 *   <li><b>Failures do not touch the data</b>: an interceptor must not throw. A
 *       {@link RuntimeException} it throws is logged at WARNING (logger
 *       {@code dev.fifochan.ChannelInterceptor}) and otherwise ignored: the message is sent or delivered
 *       as if that interceptor had returned nothing.</li>
 *   <li><b>Threads</b>: one interceptor instance may serve many channels and threads at once; it must
 *       be thread-safe. It runs on the application's thread, inside the call: it should be quick and
 *       must not call the same sender or receiver.</li>
 *   <li><b>Cost</b>: without interceptors a sender or receiver makes one null check per call and
 *       allocates nothing for them.</li>
 * </ul>
 */
public interface ChannelInterceptor {

  /**
   * Called on the sending thread before {@code message} is encoded.
   *
   * @param channel the sender
   * @param message the message, not yet encoded
   * @param headers the caller's headers ({@link Headers#empty()} if none)
   * @return headers to add to the frame, or null (or {@link Headers#empty()}) for none; dropped
   *     without an error when {@code !channel.headersAllowed()} (wire format 1.0). Keys starting with
   *     {@code fc-} are fifochan's own and must not be returned.
   */
  default Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
    return null;
  }

  /**
   * Called on the sending thread when the send or offer for which {@link #beforeSend} was called has
   * its outcome.
   *
   * @param channel the sender
   * @param message the message
   * @param result the message's sequence number (1 or more, see {@link Sender#send(Object)}) if it was
   *     accepted; for an offer that was not, the negative status ({@link Sender#BACK_PRESSURED},
   *     {@link Sender#NOT_CONNECTED}, {@link Sender#CLOSED}); 0 if the call threw
   * @param failure what the call threw (a timeout, an encode failure, a closed sender, ...), or null
   */
  default void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {}

  /**
   * Called on the receiving thread for each message delivered, after it was decoded and before the
   * application gets it.
   *
   * @param channel the receiver (its {@link ChannelInfo#wireVersion()} is that of the writer session)
   * @param message the decoded message; null for a raw frame of {@link Receiver#pollFrames}
   * @param headers the frame's headers; a view valid only during this call
   */
  default void afterReceive(ChannelInfo channel, Object message, Headers headers) {}

  /**
   * Called on the receiving thread right before a {@link MessageHandler} or {@link FrameHandler} is
   * given {@code message}; the scope returned is closed when the handler returns or throws.
   *
   * @param message the decoded message; null for a raw frame of {@link Receiver#pollFrames}
   * @param headers the frame's headers; a view valid only during this call (not during the scope)
   * @return the scope, or null for none
   */
  default Scope openScope(ChannelInfo channel, Object message, Headers headers) {
    return null;
  }

  /** What {@link #openScope} opened; closed once, on the thread that opened it. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    /** Ends the scope. Must not throw (a {@link RuntimeException} is logged and ignored). */
    @Override
    void close();
  }
}
