package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.Connector;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import io.nats.client.Connection;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * fifochan channels on NATS subjects: the NATS counterpart of {@code dev.fifochan.fifo.Fifo}. A user
 * switches transport by changing the open call only:
 *
 * <pre>{@code
 * Sender<Order> tx = Fifo.openSender(Path.of("/run/app/orders"), codec);      // one host
 * Sender<Order> tx = Nats.openSender(connection, "orders", codec);            // any host, core NATS
 * Sender<Order> tx = Nats.openSender(connection, "orders", codec, config, NatsOptions.jetStream()); // no loss
 * }</pre>
 *
 * <p>Each writer session is announced by a start message and ended by an end (or aborted-end) message;
 * several senders on one subject are several sessions a receiver tells apart (fan-in). A receiver ends
 * (returns null) when the sessions it saw have ended, unless it follows ({@link NatsOptions#follow()}).
 * The mapping, the limits and the guarantees are in {@code docs/nats.md}.
 *
 * <p>Channels given a {@link Connection} share it and never close it; channels given
 * {@link NatsConnectOptions} open their own and close it when they close.
 */
public final class Nats {
  private Nats() {}

  // ---------------------------------------------------------------- senders

  /** A sender on {@code subject}, core NATS, default channel config. */
  public static <T> Sender<T> openSender(Connection connection, String subject, Codec<T> codec) throws IOException {
    return openSender(connection, subject, codec, ChannelConfig.defaults(), NatsOptions.defaults());
  }

  /** A sender on {@code subject}, core NATS. */
  public static <T> Sender<T> openSender(Connection connection, String subject, Codec<T> codec, ChannelConfig config)
      throws IOException {
    return openSender(connection, subject, codec, config, NatsOptions.defaults());
  }

  /**
   * A sender on {@code subject} over a shared connection (not closed by the sender).
   *
   * @throws IllegalArgumentException if the subject is not a valid NATS subject without wildcards
   * @throws IOException if JetStream is asked for and the stream cannot be found or made
   */
  public static <T> Sender<T> openSender(Connection connection, String subject, Codec<T> codec, ChannelConfig config,
      NatsOptions options) throws IOException {
    Objects.requireNonNull(codec, "codec");
    return Sender.over(openSink(connection, subject, config, options), codec, config);
  }

  /** A sender on {@code subject} with its own connection (closed when the sender closes). */
  public static <T> Sender<T> openSender(NatsConnectOptions connect, String subject, Codec<T> codec, ChannelConfig config,
      NatsOptions options) throws IOException {
    Objects.requireNonNull(codec, "codec");
    return Sender.over(openSink(connect, subject, config, options), codec, config);
  }

  /** A sender on {@code subject} with its own connection, core NATS, default channel config. */
  public static <T> Sender<T> openSender(NatsConnectOptions connect, String subject, Codec<T> codec) throws IOException {
    return openSender(connect, subject, codec, ChannelConfig.defaults(), NatsOptions.defaults());
  }

  // ---------------------------------------------------------------- receivers

  /** A receiver of {@code subject}, core NATS, default channel config. */
  public static <T> Receiver<T> openReceiver(Connection connection, String subject, Codec<T> codec) throws IOException {
    return openReceiver(connection, subject, codec, ChannelConfig.defaults(), NatsOptions.defaults());
  }

  /** A receiver of {@code subject}, core NATS. */
  public static <T> Receiver<T> openReceiver(Connection connection, String subject, Codec<T> codec, ChannelConfig config)
      throws IOException {
    return openReceiver(connection, subject, codec, config, NatsOptions.defaults());
  }

  /**
   * A receiver of {@code subject} (wildcards allowed) over a shared connection. The server has its
   * subscription when this returns: in core NATS it gets what is published from then on, on any
   * connection (it waits up to the connection's connect timeout for the server's confirmation, else
   * {@link dev.fifochan.OpenTimeoutException}; opened while the connection is down, it is subscribed at
   * the reconnect); in JetStream mode it gets what {@link NatsOptions#replay()} says (or, for an
   * existing durable, what it has not acknowledged).
   */
  public static <T> Receiver<T> openReceiver(Connection connection, String subject, Codec<T> codec, ChannelConfig config,
      NatsOptions options) throws IOException {
    Objects.requireNonNull(codec, "codec");
    return Receiver.over(openSource(connection, subject, config, options, codec::accepts, codec.name()), codec, config);
  }

  /** A receiver of {@code subject} with its own connection (closed when the receiver closes). */
  public static <T> Receiver<T> openReceiver(NatsConnectOptions connect, String subject, Codec<T> codec, ChannelConfig config,
      NatsOptions options) throws IOException {
    Objects.requireNonNull(codec, "codec");
    return Receiver.over(openSource(connect, subject, config, options, codec::accepts, codec.name()), codec, config);
  }

  /** A receiver of {@code subject} with its own connection, core NATS, default channel config. */
  public static <T> Receiver<T> openReceiver(NatsConnectOptions connect, String subject, Codec<T> codec) throws IOException {
    return openReceiver(connect, subject, codec, ChannelConfig.defaults(), NatsOptions.defaults());
  }

  // ---------------------------------------------------------------- transport ends

  /** The transport's {@link FrameSink} on {@code subject} (what {@link #openSender} wraps), for code that writes records itself. */
  public static FrameSink openSink(Connection connection, String subject, ChannelConfig config, NatsOptions options)
      throws IOException {
    return new NatsFrameSink(NatsEndpoint.shared(Objects.requireNonNull(connection, "connection")), subject,
        Objects.requireNonNull(config, "config"), Objects.requireNonNull(options, "options"), null);
  }

  /** Like {@link #openSink(Connection, String, ChannelConfig, NatsOptions)} with its own connection. */
  public static FrameSink openSink(NatsConnectOptions connect, String subject, ChannelConfig config, NatsOptions options)
      throws IOException {
    checkSubject(subject, false);
    Connection c = connect.connect();
    NatsEndpoint e = NatsEndpoint.owned(c, 1);
    try {
      return new NatsFrameSink(e, subject, Objects.requireNonNull(config, "config"), Objects.requireNonNull(options, "options"), null);
    } catch (IOException | RuntimeException ex) {
      e.release();
      throw ex;
    }
  }

  /**
   * The transport's {@link FrameSource} of {@code subject} (what {@link #openReceiver} wraps).
   *
   * @param acceptsCodec which writer codecs to accept (null: every one)
   * @param readerCodec the reader's codec name, for messages and as the codec assumed for a session
   *     joined after its start (may be null)
   */
  public static FrameSource openSource(Connection connection, String subject, ChannelConfig config, NatsOptions options,
      Predicate<String> acceptsCodec, String readerCodec) throws IOException {
    return new NatsFrameSource(NatsEndpoint.shared(Objects.requireNonNull(connection, "connection")), subject,
        Objects.requireNonNull(config, "config"), Objects.requireNonNull(options, "options"), acceptsCodec, readerCodec,
        NatsFrameSource.Ack.ON_DELIVERED);
  }

  /** Like {@link #openSource(Connection, String, ChannelConfig, NatsOptions, Predicate, String)} with its own connection. */
  public static FrameSource openSource(NatsConnectOptions connect, String subject, ChannelConfig config, NatsOptions options,
      Predicate<String> acceptsCodec, String readerCodec) throws IOException {
    checkSubject(subject, true);
    Connection c = connect.connect();
    NatsEndpoint e = NatsEndpoint.owned(c, 1);
    try {
      return new NatsFrameSource(e, subject, Objects.requireNonNull(config, "config"), Objects.requireNonNull(options, "options"),
          acceptsCodec, readerCodec, NatsFrameSource.Ack.ON_DELIVERED);
    } catch (IOException | RuntimeException ex) {
      e.release();
      throw ex;
    }
  }

  // ---------------------------------------------------------------- request/response

  /**
   * The client side of request/response on the service subject {@code service}: each
   * {@link Connector#connect} asks a responder for a connection (a NATS request carrying the client's
   * inbox) and returns a {@link dev.fifochan.spi.Duplex} of two sessions: the client's on the
   * responder's inbox, the responder's on the client's. {@code RpcClient} runs on it unchanged. It waits
   * for a responder until the deadline (either side may start first), then throws
   * {@link dev.fifochan.OpenTimeoutException}. Core NATS only (request/response is at most once anyway).
   */
  public static Connector connector(Connection connection, String service, ChannelConfig config) {
    return new NatsDuplexes.ClientConnector(NatsEndpoint.shared(Objects.requireNonNull(connection, "connection")),
        checkSubject(service, false), Objects.requireNonNull(config, "config"), NatsOptions.defaults());
  }

  /** Like {@link #connector(Connection, String, ChannelConfig)} with options (pending limits, liveness). */
  public static Connector connector(Connection connection, String service, ChannelConfig config, NatsOptions options) {
    return new NatsDuplexes.ClientConnector(NatsEndpoint.shared(Objects.requireNonNull(connection, "connection")),
        checkSubject(service, false), Objects.requireNonNull(config, "config"), coreOnly(options));
  }

  /**
   * The responder side of request/response on the service subject {@code service}: subscribed when this
   * returns (with {@link NatsOptions#queueGroup()}, responders in one group share the clients); each
   * {@link Acceptor#accept} answers the next client's request. {@code RpcResponder} runs on it unchanged.
   */
  public static Acceptor acceptor(Connection connection, String service, ChannelConfig config) {
    return acceptor(connection, service, config, NatsOptions.defaults());
  }

  /** Like {@link #acceptor(Connection, String, ChannelConfig)} with options (queue group, pending limits, liveness). */
  public static Acceptor acceptor(Connection connection, String service, ChannelConfig config, NatsOptions options) {
    return new NatsDuplexes.ServiceAcceptor(NatsEndpoint.shared(Objects.requireNonNull(connection, "connection")),
        checkSubject(service, false), Objects.requireNonNull(config, "config"), coreOnly(options));
  }

  private static NatsOptions coreOnly(NatsOptions options) {
    Objects.requireNonNull(options, "options");
    if (options.mode() != NatsOptions.Mode.CORE) {
      throw new IllegalArgumentException("request/response over NATS uses core NATS (calls are at most once)");
    }
    return options;
  }

  /**
   * Checks a NATS subject: dot-separated non-empty tokens of printable ASCII without spaces; wildcards
   * ({@code *} as a token, {@code >} as the last token) only where {@code wildcards} is true (subscribing).
   */
  static String checkSubject(String subject, boolean wildcards) {
    Objects.requireNonNull(subject, "subject");
    String[] tokens = subject.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      boolean ok = !t.isEmpty();
      for (int j = 0; ok && j < t.length(); j++) {
        char c = t.charAt(j);
        ok = c > 0x20 && c < 0x7F;
      }
      if (ok && (t.contains("*") || t.contains(">"))) {
        ok = wildcards && (t.equals("*") || (t.equals(">") && i == tokens.length - 1));
      }
      if (!ok) {
        throw new IllegalArgumentException("not a valid NATS subject" + (wildcards ? "" : " to publish to") + ": '" + subject + "'");
      }
    }
    return subject;
  }
}
