package dev.fifochan.bench;

import dev.fifochan.ChannelConfig;
import dev.fifochan.bench.FifochanApi.Profile;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.ConnectionListener;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcPeer;
import dev.fifochan.rpc.RpcResponder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * fifochan request/response (issue 11, {@code dev.fifochan.rpc}): an {@link RpcClient} in the parent
 * and an {@link RpcResponder} in the peer JVM over a {@link FifoPair} (requests on the parent's
 * "out" FIFO, responses on its "in" FIFO), protobuf {@code Ping} requests echoed back by a unary
 * handler ({@code "ping"}) that runs on the responder's reader thread ({@code executor(Runnable::run)}).
 * Round trip: {@code callBlocking} from one thread; calls: {@code callBlocking} from
 * {@code callers} threads on one shared client. Both streams use the round-trip profile's channel
 * configuration ({@code flushDelay(ZERO)}; park, or the spinning wait strategy). The handshake and
 * the warm-up calls are not timed. Only the {@code proto} workload; the spinning variant is not run
 * with both processes on one CPU (as Aeron).
 */
final class RpcVariant extends Variant {
  static final String OP = "ping";
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  private final Profile profile;

  RpcVariant(String name, Profile profile) {
    super(name);
    this.profile = profile;
  }

  @Override
  String label() {
    return profile.spins() ? name + " (spin 1 ms, yield 1 ms)" : name;
  }

  @Override
  boolean needsPipeHold() {
    return false;
  }

  @Override
  boolean supportsThroughput(Workload<?> w) {
    return false;
  }

  @Override
  boolean supportsRoundTrip(Workload<?> w, String placement) {
    return w.name.equals("proto") && !(profile.spins() && placement.equals("same"));
  }

  @Override
  boolean supportsCalls(Workload<?> w) {
    return w.name.equals("proto");
  }

  private RpcConfig config() {
    return RpcConfig.builder().service("bench").channel(profile.config()).build();
  }

  private static FifoPair pair(Path requests, Path responses) {
    return FifoPair.of(requests, responses, FifoOptions.builder().pipeSize(Main.PIPE_SIZE).build());
  }

  private ChannelConfig channel() {
    return profile.config();
  }

  @Override
  <T> long write(Workload<T> w, int count, Path fifo) {
    throw new UnsupportedOperationException(name + ": request/response only");
  }

  @Override
  <T> long read(Workload<T> w, int count, Path fifo) {
    throw new UnsupportedOperationException(name + ": request/response only");
  }

  /** The responder: answers {@code total} calls, then waits for the client to disconnect and closes. */
  @Override
  <T> void echo(Workload<T> w, int total, Path in, Path out) throws IOException {
    AtomicLong handled = new AtomicLong();
    CountDownLatch gone = new CountDownLatch(1);
    RpcResponder<T> responder = RpcResponder.builder(w.codec())
        .config(config())
        .executor(Runnable::run)
        .listener(new ConnectionListener() {
          @Override
          public void disconnected(RpcPeer peer, Throwable cause) {
            gone.countDown();
          }
        })
        .handle(OP, w.type(), (request, call) -> {
          handled.incrementAndGet();
          return request;
        })
        .build();
    try {
      responder.serve(pair(in, out).acceptor(channel()));
      if (!gone.await(10, TimeUnit.MINUTES)) {
        throw new IOException(name + ": the client did not disconnect");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      responder.close();
    }
    expect(handled.get(), total, name + " calls answered");
  }

  @Override
  <T> void serveCalls(Workload<T> w, int total, Path in, Path out) throws IOException {
    echo(w, total, in, out);
  }

  private <T> RpcClient<T> connect(Workload<T> w, Path out, Path in) throws IOException {
    RpcClient<T> client = RpcClient.builder(pair(out, in).connector(channel()), w.codec()).config(config()).build();
    if (!client.awaitConnected(Duration.ofSeconds(60))) {
      client.close();
      throw new IOException(name + ": not connected after 60 s");
    }
    return client;
  }

  @Override
  <T> long[] ping(Workload<T> w, int warmup, int count, Path out, Path in) throws IOException {
    long[] rtt = new long[count];
    Class<T> type = w.type();
    try (RpcClient<T> client = connect(w, out, in)) {
      long sum = 0;
      for (int i = 0; i < warmup + count; i++) {
        T m = w.message(i);
        long t0 = System.nanoTime();
        T back = client.callBlocking(OP, m, type, CALL_DEADLINE);
        long t1 = System.nanoTime();
        sum += w.check(back);
        if (i >= warmup) {
          rtt[i - warmup] = t1 - t0;
        }
      }
      Main.sink(sum);
    }
    return rtt;
  }

  @Override
  <T> Calls calls(Workload<T> w, int callers, int warmup, int perCaller, Path out, Path in) throws IOException {
    long[] lat = new long[callers * perCaller];
    Class<T> type = w.type();
    CountDownLatch warm = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(callers);
    Throwable[] failure = new Throwable[1];
    try (RpcClient<T> client = connect(w, out, in)) {
      for (int c = 0; c < callers; c++) {
        int caller = c;
        Thread t = new Thread(() -> {
          try {
            for (int i = 0; i < warmup; i++) {
              client.callBlocking(OP, w.message(caller * 7919 + i), type, CALL_DEADLINE);
            }
            warm.countDown();
            go.await();
            long sum = 0;
            for (int i = 0; i < perCaller; i++) {
              T m = w.message(caller * 7919 + warmup + i);
              long t0 = System.nanoTime();
              T back = client.callBlocking(OP, m, type, CALL_DEADLINE);
              lat[caller * perCaller + i] = System.nanoTime() - t0;
              sum += w.check(back);
            }
            Main.sink(sum);
          } catch (Throwable e) {
            synchronized (failure) {
              failure[0] = e;
            }
            warm.countDown();
          } finally {
            done.countDown();
          }
        }, name + "-caller-" + c);
        t.setDaemon(true);
        t.start();
      }
      warm.await();
      long t0 = System.nanoTime();
      go.countDown();
      done.await();
      long t1 = System.nanoTime();
      synchronized (failure) {
        if (failure[0] != null) {
          throw new IOException(name + " caller failed: " + failure[0], failure[0]);
        }
      }
      return new Calls((double) callers * perCaller / ((t1 - t0) / 1e9), lat);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
