package dev.fifochan.rpc;

import dev.fifochan.Codec;
import dev.fifochan.Deadline;
import dev.fifochan.EncodeException;
import dev.fifochan.FrameHandler;
import dev.fifochan.Headers;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.UnknownTypeException;
import dev.fifochan.rpc.internal.ControlCodec;
import dev.fifochan.rpc.internal.Protocol;
import dev.fifochan.rpc.internal.Protocol.Kind;
import dev.fifochan.rpc.internal.SerialExecutor;
import dev.fifochan.rpc.internal.Threads;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.Duplex;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The answering side of request/response ({@code docs/rpc.md}): runs a handler per operation for the
 * calls that arrive on the connections its {@link Acceptor}s accept.
 *
 * <pre>{@code
 * RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
 *     .config(RpcConfig.builder().service("quotes").build())
 *     .handle("price", String.class, (symbol, call) -> quotes.price(symbol))
 *     .build();
 * responder.serve(pair.acceptor(ChannelConfig.defaults()));
 * ...
 * responder.close(); // drains calls in flight, at most RpcConfig.drainTimeout()
 * }</pre>
 *
 * <h2>Calls</h2>
 * Each connection has a reader thread that decodes calls and hands them to the executor (default: a
 * cached pool of daemon threads), so a slow handler never holds up the others. A handler returns the
 * reply or throws {@link RpcException} for an error reply with its status; any other exception becomes
 * {@link RpcStatus#UNKNOWN}. Without running a handler the responder answers with an error: an unknown
 * operation ({@link RpcStatus#UNIMPLEMENTED}), a request that cannot be decoded or has the wrong type
 * ({@link RpcStatus#INVALID_ARGUMENT}), too many calls in flight ({@link RpcStatus#RESOURCE_EXHAUSTED}),
 * a shutdown in progress ({@link RpcStatus#UNAVAILABLE}: not run). None of these ends the connection.
 * A handler sees the call's deadline and cancellation ({@link CallContext}); once a call is cancelled
 * (by the caller, its deadline, or the peer going away) nothing more is sent for it.
 *
 * <h2>Connections</h2>
 * {@link #serve(Acceptor)} may be called for several acceptors: each gets a thread
 * ({@code fifochan-rpc-responder-N}) that accepts one connection at a time, shakes hands and serves it
 * until it ends, then accepts the next (a FIFO pair carries one connection at a time). A handshake
 * mismatch fails only that connection ({@link ConnectionListener#disconnected}).
 *
 * @param <T> the type of the codec's values
 */
public final class RpcResponder<T> implements AutoCloseable {
  private static final AtomicLong THREADS = new AtomicLong();

  private final Codec<T> codec;
  private final RpcConfig config;
  private final Map<String, Route> routes;
  private final Map<String, NotificationRoute> notificationRoutes;
  private final Executor executor;
  private final ExecutorService ownExecutor;
  private final ConnectionListener listener;
  private final RpcInterceptor interceptor;
  private final RpcMetrics metrics = new RpcMetrics();
  private final List<ServerLink> links = new CopyOnWriteArrayList<>();
  private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final Object drained = new Object();
  private volatile boolean stopping;

  private RpcResponder(Builder<T> b) {
    this.codec = b.codec;
    this.config = b.config;
    this.routes = Map.copyOf(b.routes);
    this.notificationRoutes = Map.copyOf(b.notificationRoutes);
    this.listener = b.listener;
    this.interceptor = b.interceptor;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownExecutor = null;
    } else {
      this.ownExecutor = Threads.cachedPool("fifochan-rpc-handler");
      this.executor = ownExecutor;
    }
  }

  /** A builder of a responder whose payloads use {@code codec}. */
  public static <T> Builder<T> builder(Codec<T> codec) {
    return new Builder<>(codec);
  }

  /**
   * Serves the connections {@code acceptor} accepts, one at a time, on a new thread, until
   * {@link #shutdown} or {@link #close()} (which close the acceptor).
   *
   * @throws IllegalStateException if the responder is shutting down
   */
  public void serve(Acceptor acceptor) {
    Objects.requireNonNull(acceptor, "acceptor");
    if (stopping) {
      throw new IllegalStateException("the responder is shut down");
    }
    acceptors.add(acceptor);
    Thread t = Threads.start("fifochan-rpc-responder-" + THREADS.incrementAndGet(), () -> acceptLoop(acceptor));
    threads.add(t);
  }

  private void acceptLoop(Acceptor acceptor) {
    while (!stopping) {
      Duplex duplex;
      try {
        duplex = acceptor.accept(Deadline.after(config.connectAttempt()));
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          break;
        }
        Link.LOG.log(System.Logger.Level.WARNING, "accept failed: {0}", e);
        sleep(config.reconnectDelay());
        continue;
      }
      if (duplex == null) {
        continue;
      }
      if (stopping) {
        duplex.close();
        break;
      }
      ServerLink l;
      try {
        l = new ServerLink(duplex);
        links.add(l);
        if (stopping) {
          links.remove(l);
          l.abandon();
          break;
        }
        l.handshake();
      } catch (IOException | RuntimeException e) {
        metrics.connectionFailures.increment();
        duplex.close();
        if (e instanceof HandshakeException) {
          Link.LOG.log(System.Logger.Level.WARNING, "handshake failed on {0}, the connection is refused: {1}",
              duplex.description(), e.getMessage());
        } else {
          Link.LOG.log(System.Logger.Level.INFO, "handshake failed on {0}: {1}", duplex.description(), e.toString());
        }
        safely(() -> listener.disconnected(null, e));
        removeLink(duplex);
        continue;
      }
      metrics.connections.increment();
      Link.LOG.log(System.Logger.Level.INFO, "connected: {0}", l);
      safely(() -> listener.connected(l));
      l.readLoop();
      links.remove(l);
    }
  }

  private void removeLink(Duplex duplex) {
    links.removeIf(l -> l.duplex == duplex);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException ignored) {
      // listeners must not break the connection thread
    }
  }

  /** The connections open now. */
  public List<RpcPeer> peers() {
    List<RpcPeer> open = new ArrayList<>();
    for (ServerLink l : links) {
      if (l.open) {
        open.add(l);
      }
    }
    return open;
  }

  /** Live counters, lock-free. */
  public RpcMetrics metrics() {
    return metrics;
  }

  /** The configuration. */
  public RpcConfig config() {
    return config;
  }

  /**
   * Shuts down gracefully: stops accepting; tells each client it is going away (an {@code error} frame
   * without {@code fc-id}, {@link RpcStatus#UNAVAILABLE}), after which new calls get
   * {@link RpcStatus#UNAVAILABLE} without running; waits at most {@code timeout} for the calls in flight to
   * finish and their replies to be written; then cancels the rest ({@link RpcStatus#UNAVAILABLE}) and ends
   * every connection with an end of stream. Idempotent.
   *
   * @return true if every call in flight finished in time
   */
  public boolean shutdown(Duration timeout) {
    Deadline deadline = Deadline.after(timeout);
    if (!stopping) {
      Link.LOG.log(System.Logger.Level.INFO, "{0}: shutting down, {1} connection(s) open, {2} call(s) in flight",
          toString(), links.size(), inFlight());
    }
    stopping = true;
    for (Acceptor a : acceptors) {
      a.close();
    }
    for (ServerLink l : links) {
      l.goAway();
    }
    boolean done;
    synchronized (drained) {
      while (!(done = inFlight() == 0) && !deadline.hasExpired()) {
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, Math.min(deadline.remainingNanos(), 50_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (ServerLink l : links) {
      l.cancelAll(RpcStatus.UNAVAILABLE);
      l.closeGracefully(Duration.ofNanos(Math.max(deadline.remainingNanos(), 100_000_000L)));
    }
    for (Thread t : threads) {
      try {
        t.join(config.connectAttempt().toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
    if (!done) {
      Link.LOG.log(System.Logger.Level.WARNING, "{0}: calls still in flight after {1} were cancelled", this, timeout);
    }
    return done;
  }

  private int inFlight() {
    int n = 0;
    for (ServerLink l : links) {
      n += l.active.get(); // calls not yet ended, replies being written included
    }
    return n;
  }

  /** {@link #shutdown(Duration)} with {@link RpcConfig#drainTimeout()}. */
  @Override
  public void close() {
    shutdown(config.drainTimeout());
  }

  @Override
  public String toString() {
    return "RpcResponder[" + config.service() + ", " + routes.keySet() + (stopping ? ", stopped" : "") + "]";
  }

  // ---------------------------------------------------------------- routes

  private static final class Route {
    final Class<?> type;
    final Handler<Object, Object> unary;
    final StreamHandler<Object, Object> streaming;

    @SuppressWarnings("unchecked")
    Route(Class<?> type, Handler<?, ?> unary, StreamHandler<?, ?> streaming) {
      this.type = type;
      this.unary = (Handler<Object, Object>) unary;
      this.streaming = (StreamHandler<Object, Object>) streaming;
    }
  }

  private static final class NotificationRoute {
    final Class<?> type;
    final NotificationHandler<Object> handler;

    @SuppressWarnings("unchecked")
    NotificationRoute(Class<?> type, NotificationHandler<?> handler) {
      this.type = type;
      this.handler = (NotificationHandler<Object>) handler;
    }
  }

  // ---------------------------------------------------------------- the responder's link

  /** The responder's side of one connection. */
  private final class ServerLink extends Link {
    final ConcurrentHashMap<Long, ServerCall> calls = new ConcurrentHashMap<>();
    /** Calls taken in and not yet ended: their last frame written or given up (for the drain). */
    final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    final SerialExecutor notificationExecutor = new SerialExecutor(executor);
    volatile boolean draining;

    ServerLink(Duplex duplex) throws IOException {
      super(duplex, RpcResponder.this.codec, RpcResponder.this.config, RpcResponder.this.metrics, Protocol.ROLE_RESPONDER);
    }

    void goAway() {
      draining = true;
      if (!open) {
        return;
      }
      try {
        sendError(0, RpcStatus.UNAVAILABLE.code(), "the responder is shutting down", null,
            Deadline.after(Duration.ofSeconds(1)));
      } catch (IOException | RuntimeException e) {
        // the client is gone or stuck; the connection ends below either way
      }
    }

    void cancelAll(RpcStatus status) {
      for (ServerCall c : calls.values()) {
        c.cancel(status);
      }
    }

    @Override
    void onFrame(Kind kind, FrameHandler.Frame f) {
      switch (kind) {
        case CALL:
          onCall(f);
          break;
        case CANCEL:
          onCancel(f.headers());
          break;
        case NOTIFY:
          onNotify(f);
          break;
        case ERROR:
          onConnectionError(f.headers());
          break;
        default:
          metrics.framesIgnored.increment(); // hello again, reply, item, done: not for a responder
      }
    }

    private void onCall(FrameHandler.Frame f) {
      Headers h = f.headers();
      long id = idOf(h);
      if (id == 0 || calls.containsKey(id)) {
        metrics.framesIgnored.increment(); // no usable id, or one in flight: nothing can be answered
        return;
      }
      metrics.started.increment();
      byte[] opBytes = h.get(Protocol.OP);
      String op = opBytes != null ? new String(opBytes, StandardCharsets.UTF_8) : f.tag();
      byte[] stream = h.get(Protocol.STREAM);
      boolean streaming = stream != null && stream.length == 1 && stream[0] == '1';
      byte[] timeoutBytes = h.get(Protocol.TIMEOUT);
      long timeout = timeoutBytes == null ? -1 : Protocol.parseNonNegative(timeoutBytes);
      if (timeoutBytes != null && timeout < 0) {
        refuse(id, op, streaming, h, RpcStatus.INVALID_ARGUMENT, "fc-timeout is not a decimal number of nanoseconds");
        return;
      }
      if (draining || stopping) {
        refuse(id, op, streaming, h, RpcStatus.UNAVAILABLE, "the responder is shutting down; the call was not run");
        return;
      }
      if (timeoutBytes != null && timeout == 0) {
        metrics.expiredOnArrival.increment();
        return;
      }
      if (calls.size() >= config.maxCallsInFlight()) {
        refuse(id, op, streaming, h, RpcStatus.RESOURCE_EXHAUSTED, "more than " + config.maxCallsInFlight()
            + " calls in flight on this connection; the call was not run");
        return;
      }
      Route route = routes.get(op);
      if (route == null) {
        refuse(id, op, streaming, h, RpcStatus.UNIMPLEMENTED, "no operation '" + op + "'");
        return;
      }
      if ((route.streaming != null) != streaming) {
        refuse(id, op, streaming, h, RpcStatus.UNIMPLEMENTED, "operation '" + op + "' is " + (streaming ? "unary" : "streaming")
            + "; it was called as " + (streaming ? "streaming" : "unary"));
        return;
      }
      Object request;
      try {
        request = codec.decode(f.tag(), f.payload());
      } catch (UnknownTypeException e) {
        refuse(id, op, streaming, h, RpcStatus.INVALID_ARGUMENT, "the request has an unknown type tag '" + f.tag() + "'");
        return;
      } catch (Exception e) {
        refuse(id, op, streaming, h, RpcStatus.INVALID_ARGUMENT, "the request cannot be decoded: " + e);
        return;
      }
      if (request == null || !route.type.isInstance(request)) {
        refuse(id, op, streaming, h, RpcStatus.INVALID_ARGUMENT, "operation '" + op + "' takes a " + route.type.getName() + ", not a "
            + (request == null ? "null" : request.getClass().getName()));
        return;
      }
      Deadline deadline = timeout < 0 ? Deadline.none() : Deadline.afterNanos(timeout);
      Headers kept = h.copy();
      ServerCall call = new ServerCall(this, id, op, deadline, kept, route, request);
      if (interceptor != null) {
        call.traced = Intercepted.serverCall(interceptor, info(id, op, streaming), kept);
      }
      calls.put(id, call);
      active.incrementAndGet();
      metrics.inFlight.increment();
      if (!deadline.isNone()) {
        call.timer = Threads.timer().schedule(() -> call.cancel(RpcStatus.DEADLINE_EXCEEDED), timeout,
            TimeUnit.NANOSECONDS);
      }
      try {
        executor.execute(call);
      } catch (RejectedExecutionException e) {
        call.finishError(RpcStatus.RESOURCE_EXHAUSTED.code(), "the executor refused the call; it was not run");
      }
    }

    private RpcInterceptor.CallInfo info(long id, String op, boolean streaming) {
      return new RpcInterceptor.CallInfo(config.service(), op, id, streaming, description);
    }

    /**
     * An error reply decided on the reader thread without running anything: waits for room at most a
     * second, else drops it. An interceptor sees the call begin and end here.
     */
    private void refuse(long id, String op, boolean streaming, Headers h, RpcStatus status, String text) {
      if (interceptor != null) {
        RpcInterceptor.ServerCall traced = Intercepted.serverCall(interceptor, info(id, op, streaming), h.copy());
        if (traced != null) {
          Intercepted.end(traced, status.code(), null);
        }
      }
      metrics.failed(status.code());
      try {
        sendError(id, status.code(), text, null, Deadline.after(Duration.ofSeconds(1)));
      } catch (IOException | RuntimeException e) {
        Link.LOG.log(System.Logger.Level.DEBUG, "error reply not sent: {0}", e);
      }
    }

    /** An error without fc-id from the client: a handshake mismatch (9), going away (14), or fatal (others). */
    private void onConnectionError(Headers h) {
      if (idOf(h) != 0) {
        metrics.framesIgnored.increment();
        return;
      }
      long code = Protocol.parseNonNegative(h.get(Protocol.STATUS));
      if (code == RpcStatus.FAILED_PRECONDITION.code()) {
        HandshakeException e = fromPeer(h);
        lose(PeerGoneException.Reason.ENDED, e.getMessage(), e);
      } else if (code == RpcStatus.UNAVAILABLE.code()) {
        Link.LOG.log(System.Logger.Level.INFO, "{0}: the client is going away: {1}", this,
            h.getString(Protocol.MESSAGE)); // its end of stream follows
      } else {
        lose(PeerGoneException.Reason.BROKEN, "the client reported " + code + ": " + h.getString(Protocol.MESSAGE),
            null);
      }
    }

    private void onCancel(Headers h) {
      long id = idOf(h);
      ServerCall call = id == 0 ? null : calls.get(id);
      if (call == null) {
        metrics.lateReplies.increment();
        return;
      }
      metrics.cancelsReceived.increment();
      long code = Protocol.parseNonNegative(h.get(Protocol.STATUS));
      call.cancel(code == RpcStatus.DEADLINE_EXCEEDED.code() ? RpcStatus.DEADLINE_EXCEEDED : RpcStatus.CANCELLED);
    }

    private void onNotify(FrameHandler.Frame f) {
      byte[] opBytes = f.headers().get(Protocol.OP);
      String op = opBytes != null ? new String(opBytes, StandardCharsets.UTF_8) : f.tag();
      NotificationRoute route = notificationRoutes.get(op);
      if (route == null) {
        metrics.notificationsDropped.increment();
        return;
      }
      Object message;
      try {
        message = codec.decode(f.tag(), f.payload());
      } catch (Exception e) {
        metrics.notificationsDropped.increment();
        return;
      }
      if (!route.type.isInstance(message)) {
        metrics.notificationsDropped.increment();
        return;
      }
      metrics.notificationsReceived.increment();
      try {
        notificationExecutor.execute(() -> {
          try {
            route.handler.onNotification(op, message, this);
          } catch (Exception e) {
            Link.LOG.log(System.Logger.Level.WARNING, "notification handler failed for " + op, e);
          }
        });
      } catch (RejectedExecutionException e) {
        metrics.notificationsDropped.increment();
      }
    }

    @Override
    void onLost(Loss loss) {
      if (!loss.local) {
        metrics.connectionFailures.increment();
      }
      cancelAll(RpcStatus.UNAVAILABLE);
      links.remove(this);
      if (loss.local) {
        safely(() -> listener.disconnected(this, null));
      } else if (loss.cause instanceof HandshakeException) {
        safely(() -> listener.disconnected(this, loss.cause));
      } else {
        PeerGoneException why = new PeerGoneException(loss.reason, false, description, loss.detail, null, 0, loss.cause);
        safely(() -> listener.disconnected(this, why));
      }
    }

    /** A call left the table. */
    void ended() {
      active.decrementAndGet();
      metrics.inFlight.decrement();
      if (stopping) {
        synchronized (drained) {
          drained.notifyAll();
        }
      }
    }
  }

  // ---------------------------------------------------------------- one call

  /** A call in flight at the responder: its context for the handler, and its item sink. */
  private final class ServerCall implements Runnable, CallContext, ItemSink<Object> {
    final ServerLink link;
    final long id;
    final String operation;
    final Deadline deadline;
    final Headers headers;
    final Route route;
    final Object request;
    volatile ScheduledFuture<?> timer;
    /** The interceptor's observer of this call, or null; set before the call is shared. */
    RpcInterceptor.ServerCall traced;
    /** What the handler threw, for the interceptor (set before the call ends). */
    private Throwable handlerFailure;
    private volatile RpcStatus cancelled;
    private List<Runnable> cancelActions; // guarded by this

    ServerCall(ServerLink link, long id, String operation, Deadline deadline, Headers headers, Route route,
        Object request) {
      this.link = link;
      this.id = id;
      this.operation = operation;
      this.deadline = deadline;
      this.headers = headers;
      this.route = route;
      this.request = request;
    }

    @Override
    public void run() {
      if (cancelled != null) {
        return;
      }
      dev.fifochan.ChannelInterceptor.Scope scope = traced != null ? Intercepted.enter(traced) : null;
      try {
        handle();
      } finally {
        if (scope != null) {
          Intercepted.close(scope);
        }
      }
    }

    private void handle() {
      try {
        if (route.unary != null) {
          Object reply = route.unary.handle(request, this);
          if (reply == null) {
            finishError(RpcStatus.INTERNAL.code(), "the handler returned null");
          } else {
            finish(Kind.REPLY, reply);
          }
        } else {
          route.streaming.handle(request, this, this);
          finish(Kind.DONE, ControlCodec.CONTROL);
        }
      } catch (RpcException e) {
        handlerFailure = e;
        finishError(e.code(), e.statusMessage());
      } catch (Throwable e) {
        handlerFailure = e;
        finishError(RpcStatus.UNKNOWN.code(), "the handler failed: " + e);
        if (e instanceof Error && !(e instanceof StackOverflowError)) {
          throw (Error) e;
        }
      }
    }

    /** Tells the interceptor the call ended (once: only after {@link #leave()} returned true). */
    private void traceEnd(int status) {
      if (traced != null) {
        Intercepted.end(traced, status, handlerFailure);
      }
    }

    /** Takes the call out of the table; false if it had ended (cancelled): then nothing is sent. */
    private boolean leave() {
      if (!link.calls.remove(id, this)) {
        return false;
      }
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      return true;
    }

    private void finish(Kind kind, Object value) {
      if (!leave()) {
        return;
      }
      int status = RpcStatus.OK.code();
      try {
        link.send(value, Link.idHeaders(kind, id), deadline, null);
        metrics.succeeded.increment();
      } catch (EncodeException e) {
        status = RpcStatus.INTERNAL.code();
        sendErrorNow(status, "the reply cannot be encoded: " + e.getMessage());
      } catch (MessageTooLongException e) {
        status = RpcStatus.RESOURCE_EXHAUSTED.code();
        sendErrorNow(status, "the reply is too long: " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        status = RpcStatus.UNAVAILABLE.code();
        metrics.failed(status); // the deadline passed while waiting for room, or the link is lost
      } finally {
        traceEnd(status);
        link.ended();
      }
    }

    void finishError(int code, String text) {
      if (!leave()) {
        return;
      }
      try {
        sendErrorNow(code, text);
      } finally {
        traceEnd(code);
        link.ended();
      }
    }

    private void sendErrorNow(int code, String text) {
      metrics.failed(code);
      try {
        link.sendError(id, code, text, null, deadline);
      } catch (IOException | RuntimeException e) {
        // the caller gave up or is gone
      }
    }

    /** Cancels the call once: no more frames for it; the cancel actions run here. */
    void cancel(RpcStatus status) {
      List<Runnable> actions;
      synchronized (this) {
        if (cancelled != null) {
          return;
        }
        cancelled = status;
        actions = cancelActions;
        cancelActions = null;
      }
      if (leave()) {
        metrics.failed(status.code());
        traceEnd(status.code());
        link.ended();
      }
      if (actions != null) {
        for (Runnable r : actions) {
          runQuietly(r);
        }
      }
    }

    private void runQuietly(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        Link.LOG.log(System.Logger.Level.WARNING, "cancel action failed", e);
      }
    }

    // CallContext

    @Override
    public String operation() {
      return operation;
    }

    @Override
    public long callId() {
      return id;
    }

    @Override
    public Deadline deadline() {
      return deadline;
    }

    @Override
    public boolean isCancelled() {
      return cancelled != null;
    }

    @Override
    public RpcStatus cancelStatus() {
      return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
      Objects.requireNonNull(action, "action");
      synchronized (this) {
        if (cancelled == null) {
          if (cancelActions == null) {
            cancelActions = new ArrayList<>(2);
          }
          cancelActions.add(action);
          return;
        }
      }
      runQuietly(action);
    }

    @Override
    public Headers headers() {
      return headers;
    }

    @Override
    public RpcPeer peer() {
      return link;
    }

    // ItemSink

    @Override
    public void send(Object item) throws IOException {
      Objects.requireNonNull(item, "item");
      RpcStatus c = cancelled;
      if (c != null) {
        throw new RpcException(c.code(), "the call was cancelled", operation, id, false, null);
      }
      try {
        link.send(item, Link.idHeaders(Kind.ITEM, id), deadline, null);
      } catch (IOException e) {
        if (!link.isLost() && !(e instanceof dev.fifochan.SendTimeoutException)) {
          throw e; // the item cannot be encoded or is too long: the stream goes on
        }
        RpcStatus now = cancelled;
        if (link.isLost() || now == null && deadline.isNone()) {
          throw new RpcException(RpcStatus.UNAVAILABLE.code(), "the connection was lost", operation, id, false, e);
        }
        throw new RpcException((now != null ? now : RpcStatus.DEADLINE_EXCEEDED).code(),
            "no room for the item before the deadline", operation, id, false, e);
      }
    }

    @Override
    public String toString() {
      return "call " + id + " (" + operation + ")";
    }
  }

  // ---------------------------------------------------------------- building

  /** Builds an {@link RpcResponder}: its configuration, executor and handlers. Not thread-safe. */
  public static final class Builder<T> {
    private final Codec<T> codec;
    private RpcConfig config = RpcConfig.defaults();
    private Executor executor;
    private ConnectionListener listener = new ConnectionListener() {};
    private RpcInterceptor interceptor;
    private final Map<String, Route> routes = new HashMap<>();
    private final Map<String, NotificationRoute> notificationRoutes = new HashMap<>();

    private Builder(Codec<T> codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The configuration; default {@link RpcConfig#defaults()}. */
    public Builder<T> config(RpcConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Where handlers run. Default: a cached pool of daemon threads that the responder shuts down with
     * itself. A bounded executor that refuses a task makes that call fail with
     * {@link RpcStatus#RESOURCE_EXHAUSTED}; the responder never shuts down an executor given here.
     */
    public Builder<T> executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Told when connections come and go. */
    public Builder<T> listener(ConnectionListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Observes every call (tracing: a server span per call, made current around its handler, its parent
     * taken from the call's headers); none by default. See {@link RpcInterceptor}.
     */
    public Builder<T> interceptor(RpcInterceptor interceptor) {
      this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
      return this;
    }

    /**
     * Handles unary calls of {@code operation} (the caller's {@code fc-op}, or the request's type tag when
     * it named none) whose request is a {@code requestType}.
     *
     * @throws IllegalArgumentException if {@code operation} already has a handler
     */
    public <Q> Builder<T> handle(String operation, Class<Q> requestType, Handler<? super Q, ? extends T> handler) {
      put(operation, new Route(Objects.requireNonNull(requestType, "requestType"),
          Objects.requireNonNull(handler, "handler"), null));
      return this;
    }

    /**
     * Handles server-streaming calls of {@code operation}.
     *
     * @throws IllegalArgumentException if {@code operation} already has a handler
     */
    public <Q> Builder<T> handleStream(String operation, Class<Q> requestType,
        StreamHandler<? super Q, ? extends T> handler) {
      put(operation, new Route(Objects.requireNonNull(requestType, "requestType"), null,
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /**
     * Handles notifications of {@code operation} whose message is a {@code messageType}; others are
     * dropped and counted.
     *
     * @throws IllegalArgumentException if {@code operation} already has a notification handler
     */
    public <Q> Builder<T> onNotification(String operation, Class<Q> messageType, NotificationHandler<? super Q> handler) {
      Objects.requireNonNull(operation, "operation");
      if (notificationRoutes.containsKey(operation)) {
        throw new IllegalArgumentException("notification '" + operation + "' already has a handler");
      }
      notificationRoutes.put(operation, new NotificationRoute(Objects.requireNonNull(messageType, "messageType"),
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    private void put(String operation, Route route) {
      Objects.requireNonNull(operation, "operation");
      if (routes.containsKey(operation)) {
        throw new IllegalArgumentException("operation '" + operation + "' already has a handler");
      }
      routes.put(operation, route);
    }

    /** The responder; it serves nothing until {@link RpcResponder#serve(Acceptor)}. */
    public RpcResponder<T> build() {
      return new RpcResponder<>(this);
    }
  }
}
