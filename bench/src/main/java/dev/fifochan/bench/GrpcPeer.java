package dev.fifochan.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peer: gRPC-java over a Unix domain socket, what a sidecar user would otherwise pick. Best
 * ordinary settings: netty's epoll transport ({@code grpc-netty-shaded}: {@link EpollDomainSocketChannel},
 * one event-loop thread per side), {@code directExecutor()} on servers and channels (handlers run on
 * the event loop, no hand-off to a pool), plaintext, a fixed flow-control window of
 * {@value #WINDOW} bytes ({@code flowControlWindow}, which also turns off BDP probing), protobuf
 * messages ({@code Pong{seq, payload}} for {@code byte[]} workloads, {@code Ping} for protobuf):
 * <ul>
 *   <li>one-way: a client-streaming call from the peer JVM to a server in the parent; the client sends
 *       only while the call {@code isReady()} (else it waits for the on-ready handler), the server counts;
 *   <li>round trip: a blocking unary call from the parent to an echo server in the peer JVM;
 *   <li>calls with N callers: N threads making blocking unary calls at once (issue 11).
 * </ul>
 * Channels and servers are created once per run and kept (connected) between trials.
 */
final class GrpcPeer extends Variant {
  static final int WINDOW = 8 << 20;
  static final String SERVICE = "fifochan.bench.Bench";

  static final MethodDescriptor<Pong, Ping> STREAM_PONG = method(MethodDescriptor.MethodType.CLIENT_STREAMING, "StreamPong",
      Pong.getDefaultInstance(), Ping.getDefaultInstance());
  static final MethodDescriptor<Ping, Ping> STREAM_PING = method(MethodDescriptor.MethodType.CLIENT_STREAMING, "StreamPing",
      Ping.getDefaultInstance(), Ping.getDefaultInstance());
  static final MethodDescriptor<Ping, Ping> ECHO_PING = method(MethodDescriptor.MethodType.UNARY, "EchoPing",
      Ping.getDefaultInstance(), Ping.getDefaultInstance());
  static final MethodDescriptor<Pong, Pong> ECHO_PONG = method(MethodDescriptor.MethodType.UNARY, "EchoPong",
      Pong.getDefaultInstance(), Pong.getDefaultInstance());

  private static EventLoopGroup serverBoss;
  private static EventLoopGroup serverWorker;
  private static EventLoopGroup clientGroup;
  private static Server server;
  private static ManagedChannel channel;

  /** Parent: messages a one-way stream must deliver (set before the peer is told to start). */
  private static volatile long expected;
  private static final BlockingQueue<SinkCall<?>> SINKS = new LinkedBlockingQueue<>();
  /** Peer: unary calls answered so far, and how many the trials so far asked for. */
  private static final AtomicLong SERVED = new AtomicLong();
  private static long servedTarget;

  GrpcPeer() {
    super("grpc");
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(MethodDescriptor.MethodType type,
      String name, Q req, R resp) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(req))
        .setResponseMarshaller(ProtoUtils.marshaller(resp))
        .build();
  }

  @Override
  String label() {
    return "gRPC UDS";
  }

  @Override
  String unavailable() {
    return Epoll.isAvailable() ? null : "netty epoll is not available: " + Epoll.unavailabilityCause();
  }

  @Override
  boolean needsPipeHold() {
    return false;
  }

  @Override
  boolean cpuOnCallingThread() {
    return false;
  }

  @Override
  boolean supportsThroughput(Workload<?> w) {
    return !w.name.equals("json");
  }

  /** About 100 times slower than fifochan for small messages: a twentieth of the messages keeps trials near a second. */
  @Override
  double countScale(Workload<?> w) {
    return w.name.equals("bytes64k") ? 0.5 : 0.05;
  }

  @Override
  boolean supportsRoundTrip(Workload<?> w, String placement) {
    return w.name.equals("bytes100") || w.name.equals("proto");
  }

  @Override
  boolean supportsCalls(Workload<?> w) {
    return w.name.equals("proto");
  }

  static Path socket(boolean parent) {
    return BenchEnv.runDir().resolve(parent ? "grpc-parent.sock" : "grpc-peer.sock");
  }

  @Override
  void prepare(boolean parent) throws IOException {
    if (server != null) {
      return;
    }
    serverBoss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    serverWorker = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    clientGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    Path own = socket(parent);
    Files.deleteIfExists(own);
    server = NettyServerBuilder.forAddress(new DomainSocketAddress(own.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(serverBoss)
        .workerEventLoopGroup(serverWorker)
        .directExecutor()
        .flowControlWindow(WINDOW)
        .addService(service())
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket(!parent).toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(clientGroup)
        .directExecutor()
        .usePlaintext()
        .flowControlWindow(WINDOW)
        .overrideAuthority("localhost")
        .build();
  }

  @Override
  void release(boolean parent) {
    try {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (server != null) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (EventLoopGroup g : new EventLoopGroup[] {clientGroup, serverBoss, serverWorker}) {
      if (g != null) {
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
    channel = null;
    server = null;
  }

  private static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(STREAM_PONG, ServerCalls.asyncClientStreamingCall(SinkCall<Pong>::new))
        .addMethod(STREAM_PING, ServerCalls.asyncClientStreamingCall(SinkCall<Ping>::new))
        .addMethod(ECHO_PING, ServerCalls.asyncUnaryCall(GrpcPeer::echoUnary))
        .addMethod(ECHO_PONG, ServerCalls.asyncUnaryCall(GrpcPeer::echoUnary))
        .build();
  }

  private static <M> void echoUnary(M request, StreamObserver<M> response) {
    response.onNext(request);
    response.onCompleted();
    SERVED.incrementAndGet();
  }

  /** The parent's side of a one-way stream: counts messages, notes when the expected last one arrived. */
  private static final class SinkCall<M extends Message> implements StreamObserver<M> {
    private final StreamObserver<Ping> response;
    private final long want = expected;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    long n;
    long bytes;
    long tEnd;

    SinkCall(StreamObserver<Ping> response) {
      this.response = response;
      SINKS.add(this);
    }

    @Override
    public void onNext(M m) {
      if (m instanceof Pong) {
        bytes += ((Pong) m).getPayload().size();
      }
      if (++n == want) {
        tEnd = System.nanoTime();
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      response.onNext(Ping.newBuilder().setSeq(n).build());
      response.onCompleted();
      done.complete(n);
    }
  }

  /** The prepared protobuf messages of a workload: Pong{seq, payload} for byte[], the Ping itself for protobuf. */
  private static Message[] messages(Workload<?> w) {
    if (w instanceof Workload.ProtoWorkload) {
      Message[] m = new Message[Workload.POOL];
      for (int i = 0; i < m.length; i++) {
        m[i] = ((Workload.ProtoWorkload) w).message(i);
      }
      return m;
    }
    Workload.BytesWorkload b = (Workload.BytesWorkload) w;
    Message[] m = new Message[b.size > 4096 ? 8 : Workload.POOL];
    for (int i = 0; i < m.length; i++) {
      m[i] = Pong.newBuilder().setSeq(i).setPayload(ByteString.copyFrom(b.message(i))).build();
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static MethodDescriptor<Message, Ping> streamMethod(Workload<?> w) {
    return (MethodDescriptor<Message, Ping>) (MethodDescriptor<?, ?>) (w instanceof Workload.ProtoWorkload ? STREAM_PING : STREAM_PONG);
  }

  @SuppressWarnings("unchecked")
  private static MethodDescriptor<Message, Message> echoMethod(Workload<?> w) {
    return (MethodDescriptor<Message, Message>) (MethodDescriptor<?, ?>) (w instanceof Workload.ProtoWorkload ? ECHO_PING : ECHO_PONG);
  }

  /** The peer's side of a one-way stream: sends while the call is ready, else waits for on-ready. */
  private static final class Source implements ClientResponseObserver<Message, Ping> {
    final CompletableFuture<Ping> response = new CompletableFuture<>();
    private final Object lock = new Object();
    private ClientCallStreamObserver<Message> stream;

    @Override
    public void beforeStart(ClientCallStreamObserver<Message> s) {
      stream = s;
      s.setOnReadyHandler(() -> {
        synchronized (lock) {
          lock.notifyAll();
        }
      });
    }

    void awaitReady() throws IOException {
      synchronized (lock) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!stream.isReady()) {
          if (response.isDone() || System.nanoTime() > deadline) {
            throw new IOException("grpc stream not ready: " + response);
          }
          try {
            lock.wait(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
      }
    }

    @Override
    public void onNext(Ping p) {
      response.complete(p);
    }

    @Override
    public void onError(Throwable t) {
      response.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {}
  }

  private static <V> V await(CompletableFuture<V> f, String what) throws IOException {
    try {
      return f.get(300, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("grpc " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  <T> long write(Workload<T> w, int count, Path fifo) throws IOException {
    Message[] msgs = messages(w);
    Source src = new Source();
    StreamObserver<Message> req = ClientCalls.asyncClientStreamingCall(
        channel.newCall(streamMethod(w), CallOptions.DEFAULT.withWaitForReady()), src);
    src.awaitReady();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (!src.stream.isReady()) {
        src.awaitReady();
      }
      req.onNext(msgs[i & (msgs.length - 1)]);
    }
    req.onCompleted();
    expect(await(src.response, "stream").getSeq(), count, "grpc messages acknowledged");
    return t0;
  }

  @Override
  void beforePeerWrites(Workload<?> w, int count) {
    SINKS.clear();
    expected = count;
  }

  /** The parent's read: waits for the stream the peer opened and returns when its last message arrived. */
  @Override
  <T> long read(Workload<T> w, int count, Path fifo) throws IOException {
    SinkCall<?> s;
    try {
      s = SINKS.poll(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (s == null) {
      throw new IOException("grpc: no stream arrived within 60 s");
    }
    long n = await(s.done, "sink");
    expect(n, count, "grpc messages received");
    if (w instanceof Workload.BytesWorkload) {
      expect(s.bytes, (long) count * ((Workload.BytesWorkload) w).size, "grpc payload bytes");
    }
    return s.tEnd;
  }

  @Override
  <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
    servedTarget += total;
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (SERVED.get() < servedTarget) {
      if (System.nanoTime() > deadline) {
        throw new IOException("grpc echo: " + SERVED.get() + " of " + servedTarget + " calls after 300 s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  @Override
  <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
    Message[] msgs = messages(w);
    MethodDescriptor<Message, Message> m = echoMethod(w);
    long[] rtt = new long[count];
    for (int i = 0; i < warmup + count; i++) {
      Message req = msgs[i & (msgs.length - 1)];
      long t0 = System.nanoTime();
      Message back = ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT, req);
      long t1 = System.nanoTime();
      if (back.getSerializedSize() != req.getSerializedSize()) {
        throw new IllegalStateException("grpc echo mismatch at " + i);
      }
      if (i >= warmup) {
        rtt[i - warmup] = t1 - t0;
      }
    }
    return rtt;
  }

  @Override
  <T> Calls calls(Workload<T> w, int callers, int warmup, int perCaller, Path out, Path in) throws IOException {
    Message[] msgs = messages(w);
    MethodDescriptor<Message, Message> m = echoMethod(w);
    long[] lat = new long[callers * perCaller];
    CountDownLatch warm = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(callers);
    Throwable[] failure = new Throwable[1];
    for (int c = 0; c < callers; c++) {
      int caller = c;
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < warmup; i++) {
            ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT, msgs[(caller + i) & (msgs.length - 1)]);
          }
          warm.countDown();
          go.await();
          for (int i = 0; i < perCaller; i++) {
            long t0 = System.nanoTime();
            ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT, msgs[(caller + i) & (msgs.length - 1)]);
            lat[caller * perCaller + i] = System.nanoTime() - t0;
          }
        } catch (Throwable e) {
          synchronized (failure) {
            failure[0] = e;
          }
          warm.countDown();
        } finally {
          done.countDown();
        }
      }, "grpc-caller-" + c);
      t.setDaemon(true);
      t.start();
    }
    try {
      warm.await();
      long t0 = System.nanoTime();
      go.countDown();
      done.await();
      long t1 = System.nanoTime();
      synchronized (failure) {
        if (failure[0] != null) {
          throw new IOException("grpc caller failed: " + failure[0], failure[0]);
        }
      }
      return new Calls((double) callers * perCaller / ((t1 - t0) / 1e9), lat);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
