package dev.fifochan.nats;

import dev.fifochan.FifochanException;

/**
 * The NATS connection is closed for good (the client gave up reconnecting, the server refused it, or it
 * was closed): a sender fails with it (every later send throws it), a receiver throws it on every call.
 * Messages a sender had accepted and not yet handed to the server ({@link #messagesDiscarded()}) are
 * lost; in JetStream mode, messages published but not acknowledged by the stream may or may not be
 * stored. A temporary disconnection is not this error: sends wait for the reconnect (offer answers
 * {@link dev.fifochan.SendStatus#NOT_CONNECTED}) and receives simply wait.
 */
public final class NatsConnectionException extends FifochanException {
  private static final long serialVersionUID = 1L;

  private final String connection;
  private final String state;
  private final long messagesDiscarded;

  /**
   * @param connection the connection's description (servers, name)
   * @param state the connection's state, e.g. {@code CLOSED}
   * @param messagesDiscarded accepted messages that will not be sent (0 on a receiver)
   * @param cause the client's last error, or null
   */
  public NatsConnectionException(String connection, String state, long messagesDiscarded, Throwable cause) {
    super(cause);
    this.connection = connection;
    this.state = state;
    this.messagesDiscarded = messagesDiscarded;
  }

  /** The connection's description. */
  public String connection() {
    return connection;
  }

  /** The connection's state when the error was raised. */
  public String state() {
    return state;
  }

  /** Messages accepted by a sender that will not be sent. */
  public long messagesDiscarded() {
    return messagesDiscarded;
  }

  @Override
  public String getMessage() {
    return "NATS connection " + connection + " is " + state + (messagesDiscarded > 0 ? "; " + messagesDiscarded
        + " accepted message(s) not sent" : "") + (getCause() != null ? " (" + getCause() + ")" : "");
  }
}
