package dev.fifochan.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.OpenTimeoutException;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.Connector;
import dev.fifochan.spi.Duplex;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Request/response connections over NATS ({@code docs/nats.md} §5). The client makes an inbox C and
 * sends a connect request ({@code fc-rec: connect}, {@code fc-inbox: C}) to the service subject; a
 * responder makes an inbox S, subscribes to it, and answers {@code fc-inbox: S}. The client then
 * publishes its session to S and the responder its session to C: two ordinary fifochan sessions.
 */
final class NatsDuplexes {
  private NatsDuplexes() {}

  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The client's {@link Connector}. */
  static final class ClientConnector implements Connector {
    private final NatsEndpoint endpoint;
    private final String service;
    private final ChannelConfig config;
    private final NatsOptions options;

    ClientConnector(NatsEndpoint endpoint, String service, ChannelConfig config, NatsOptions options) {
      this.endpoint = endpoint;
      this.service = service;
      this.config = config;
      this.options = options;
    }

    @Override
    public Duplex connect(Deadline deadline) throws IOException {
      Connection nc = endpoint.connection();
      String inbox = nc.createInbox();
      NatsFrameSource source = new NatsFrameSource(endpoint, inbox, config, options, null, null, NatsFrameSource.Ack.ON_DELIVERED);
      boolean ok = false;
      try {
        io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
        h.put(NatsWire.REC, NatsWire.REC_CONNECT);
        h.put(NatsWire.INBOX, inbox);
        NatsMessage request = NatsMessage.builder().subject(service).headers(h).data(new byte[0]).build();
        while (true) {
          if (nc.getStatus() == Connection.Status.CLOSED) {
            throw new NatsConnectionException(endpoint.description(), "CLOSED", 0, null);
          }
          long slice = Math.min(deadline.remainingNanos(), TimeUnit.SECONDS.toNanos(2));
          Message reply = null;
          long began = System.nanoTime();
          if (slice > 0 && nc.getStatus() == Connection.Status.CONNECTED) {
            CompletableFuture<Message> f = nc.requestWithTimeout(request, Duration.ofNanos(slice));
            try {
              reply = f.get(slice + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
              f.cancel(true);
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted connecting to " + service);
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
              reply = null; // no responder yet (503) or no answer in this slice
            }
          }
          String peerInbox = reply == null ? null : NatsWire.first(reply.getHeaders(), NatsWire.INBOX);
          if (peerInbox != null) {
            NatsFrameSink sink = new NatsFrameSink(endpoint, peerInbox, config, options, null);
            ok = true;
            return new NatsDuplex(sink, source, "nats:" + service + " (client " + inbox + " <-> responder " + peerInbox + ")");
          }
          if (deadline.hasExpired()) {
            throw new OpenTimeoutException("NATS service " + service, deadline.timeout());
          }
          long rest = RETRY_NANOS - (System.nanoTime() - began);
          if (rest > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(rest, deadline.remainingNanos()));
            if (Thread.interrupted()) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted connecting to " + service);
            }
          }
        }
      } finally {
        if (!ok) {
          source.close();
        }
      }
    }
  }

  /** The responder's {@link Acceptor}. */
  static final class ServiceAcceptor implements Acceptor {
    private final NatsEndpoint endpoint;
    private final String service;
    private final ChannelConfig config;
    private final NatsOptions options;
    private final Subscription sub;
    private volatile boolean closed;

    ServiceAcceptor(NatsEndpoint endpoint, String service, ChannelConfig config, NatsOptions options) {
      this.endpoint = endpoint;
      this.service = service;
      this.config = config;
      this.options = options;
      Connection nc = endpoint.connection();
      this.sub = options.queueGroup() != null ? nc.subscribe(service, options.queueGroup()) : nc.subscribe(service);
    }

    @Override
    public Duplex accept(Deadline deadline) throws IOException {
      Connection nc = endpoint.connection();
      while (true) {
        if (closed) {
          throw new ClosedChannelException();
        }
        long wait = Math.min(deadline.remainingNanos(), 100_000_000L);
        Message m;
        try {
          m = sub.nextMessage(Duration.ofNanos(Math.max(1, wait)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted accepting on " + service);
        } catch (IllegalStateException e) {
          if (closed) {
            throw new AsynchronousCloseException();
          }
          throw new NatsConnectionException(endpoint.description(), String.valueOf(nc.getStatus()), 0, e);
        }
        if (m == null) {
          if (nc.getStatus() == Connection.Status.CLOSED) {
            throw new NatsConnectionException(endpoint.description(), "CLOSED", 0, null);
          }
          if (deadline.hasExpired()) {
            return null;
          }
          continue;
        }
        String clientInbox = NatsWire.first(m.getHeaders(), NatsWire.INBOX);
        if (!NatsWire.REC_CONNECT.equals(NatsWire.first(m.getHeaders(), NatsWire.REC)) || clientInbox == null
            || m.getReplyTo() == null) {
          continue; // not a connect request
        }
        String inbox = nc.createInbox();
        NatsFrameSource source = new NatsFrameSource(endpoint, inbox, config, options, null, null,
            NatsFrameSource.Ack.ON_DELIVERED);
        NatsFrameSink sink;
        try {
          sink = new NatsFrameSink(endpoint, clientInbox, config, options, null);
          io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
          h.put(NatsWire.REC, NatsWire.REC_CONNECT);
          h.put(NatsWire.INBOX, inbox);
          nc.flush(Duration.ofSeconds(5)); // the inbox subscription is at the server before the client may publish
          nc.publish(m.getReplyTo(), h, new byte[0]);
        } catch (IOException | RuntimeException | TimeoutException | InterruptedException e) {
          source.close();
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted accepting on " + service);
          }
          if (e instanceof IOException) {
            throw (IOException) e;
          }
          continue; // the client is gone or the connection dropped: wait for the next one
        }
        return new NatsDuplex(sink, source, "nats:" + service + " (responder " + inbox + " <-> client " + clientInbox + ")");
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        sub.unsubscribe();
      } catch (RuntimeException e) {
        // the connection is gone
      }
    }
  }

  /** Two sessions as one connection. */
  static final class NatsDuplex implements Duplex {
    private final FrameSink sink;
    private final FrameSource source;
    private final String description;

    NatsDuplex(FrameSink sink, FrameSource source, String description) {
      this.sink = sink;
      this.source = source;
      this.description = description;
    }

    @Override
    public FrameSink sink() {
      return sink;
    }

    @Override
    public FrameSource source() {
      return source;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public void close() {
      sink.close();
      source.close();
    }
  }
}
