package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.ReceiveTimeoutException;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.DurationConverter;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.cli.Progress;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.fifo.FifoPair;
import dev.fifochan.rpc.RpcClient;
import dev.fifochan.rpc.RpcConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Runs the demo's side of a phase: round trips as request/response calls ({@code RpcClient} over the
 * codec's FIFO pair; latency) or a one-way burst over the requests FIFO (throughput).
 */
final class Phases {
  /** The service name both sides state in the request/response handshake. */
  static final String SERVICE = "fifochan-demo";
  /** The operation the peer answers with the request itself. */
  static final String ECHO = "echo";

  /** Starts the live progress line of a phase. */
  interface ProgressStarter {
    Progress start(LongSupplier messages, LongSupplier bytes);
  }

  private final Workspace ws;
  private final Duration timeout;

  Phases(Workspace ws, Duration timeout) {
    this.ws = ws;
    this.timeout = timeout;
  }

  /** The request/response configuration of both sides: every frame goes out at once. */
  static RpcConfig rpcConfig() {
    return RpcConfig.builder().service(SERVICE).channel(ChannelConfig.builder().flushDelay(Duration.ZERO).build()).build();
  }

  /** The FIFO pair of {@code codec}'s round trips. */
  static FifoPair callPair(Workspace ws, String codec, Duration openTimeout) {
    return FifoPair.of(ws.callRequests(codec), ws.callResponses(codec), FifoOptions.builder().openTimeout(openTimeout).build());
  }

  <T> PhaseResult run(DemoCodec<T> dc, Phase.Kind kind, int n, int warmup, ProgressStarter progress)
      throws IOException, CliException {
    return kind == Phase.Kind.echo ? roundTrips(dc, n, warmup, progress) : burst(dc, n, progress);
  }

  private <T> PhaseResult roundTrips(DemoCodec<T> dc, int n, int warmup, ProgressStarter progress)
      throws IOException, CliException {
    RpcConfig config = rpcConfig();
    FifoPair pair = callPair(ws, dc.name(), timeout);
    // The summary's bytes for round trips: payload bytes both ways (every message has the same size).
    long payload = Codecs.encodeToBytes(dc.codec(), dc.message(0, System.nanoTime(), DemoCodec.TEXT)).length;
    try (RpcClient<T> client = RpcClient.builder(pair.connector(config.channel()), dc.codec()).config(config).build();
         Progress p = progress.start(() -> client.metrics().callsSucceeded(),
             () -> 2 * payload * client.metrics().callsSucceeded())) {
      if (!client.awaitConnected(timeout)) {
        throw new CliException(ExitCode.TIMEOUT, ws.callRequests(dc.name()) + ": the peer's responder did not answer within "
            + DurationConverter.format(timeout));
      }
      Latencies latencies = new Latencies(n);
      long start = System.nanoTime();
      for (long i = 0; i < n; i++) {
        T reply = client.callBlocking(ECHO, dc.message(i, System.nanoTime(), DemoCodec.TEXT), dc.type(), timeout);
        long now = System.nanoTime();
        if (dc.seq(reply) != i) {
          throw new CliException(ExitCode.ERROR, dc.name() + " round trip: expected the echo of " + i + ", got " + dc.seq(reply));
        }
        if (i >= warmup) {
          latencies.add(now - dc.sentNanos(reply));
        }
      }
      long elapsed = System.nanoTime() - start;
      return new PhaseResult(dc.name(), Phase.Kind.echo, n, 2 * payload * n, elapsed, latencies, 0);
    }
  }

  private <T> PhaseResult burst(DemoCodec<T> dc, int n, ProgressStarter progress) throws IOException, CliException {
    ChannelConfig config = ChannelConfig.defaults(); // coalesce (the default flush delay)
    FifoOptions options = FifoOptions.builder().openTimeout(timeout).build();
    try (DemoLink<T> link = new DemoLink<>(ws, dc, config, options);
         Progress p = progress.start(() -> link.requests.stats().messagesWritten(), link::bytes)) {
      long start = System.nanoTime();
      for (long i = 0; i < n; i++) {
        link.requests.send(dc.message(i, 0, DemoCodec.TEXT));
      }
      link.requests.close();
      T ack = awaitReply(link, "the acknowledgement of the burst");
      long elapsed = System.nanoTime() - start;
      if (dc.seq(ack) != n) {
        throw new CliException(ExitCode.ERROR, dc.name() + " burst: the peer received " + dc.seq(ack) + " of " + n + " messages");
      }
      awaitCleanEnd(link);
      return new PhaseResult(dc.name(), Phase.Kind.sink, n, link.bytes(), elapsed, null, 1);
    }
  }

  private <T> T awaitReply(DemoLink<T> link, String what) throws IOException, CliException {
    T reply;
    try {
      reply = link.replies.receive(timeout);
    } catch (ReceiveTimeoutException e) {
      throw new CliException(ExitCode.TIMEOUT, ws.replies() + ": no " + what + " within " + DurationConverter.format(timeout), e);
    }
    if (reply == null) {
      throw new CliException(ExitCode.PEER_GONE, ws.replies() + ": the peer ended its stream before " + what);
    }
    return reply;
  }

  private <T> void awaitCleanEnd(DemoLink<T> link) throws IOException, CliException {
    T extra;
    try {
      extra = link.replies.receive(timeout);
    } catch (ReceiveTimeoutException e) {
      throw new CliException(ExitCode.TIMEOUT, ws.replies() + ": no end of stream within " + DurationConverter.format(timeout), e);
    }
    if (extra != null) {
      throw new CliException(ExitCode.ERROR, ws.replies() + ": unexpected message after the last reply");
    }
  }
}
