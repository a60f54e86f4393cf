package dev.fifochan.cli.demo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.DurationConverter;
import dev.fifochan.cli.ExitCode;
import dev.fifochan.cli.Progress;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/** Runs the demo's side of a phase: round trips (latency) or a one-way burst (throughput). */
final class Phases {
  private final Workspace ws;
  private final Duration timeout;

  Phases(Workspace ws, Duration timeout) {
    this.ws = ws;
    this.timeout = timeout;
  }

  <T> PhaseResult run(DemoCodec<T> dc, Phase.Kind kind, int n, int warmup,
      Function<DemoLink<T>, Progress> progress) throws IOException, CliException {
    ChannelConfig config = ChannelConfig.builder()
        .createIfMissing(false)
        .openTimeout(timeout)
        // Round trips: every request goes out at once. Burst: coalesce (the default 50 µs delay).
        .flushDelay(kind == Phase.Kind.echo ? Duration.ZERO : ChannelConfig.defaults().flushDelay())
        .build();
    try (DemoLink<T> link = new DemoLink<>(ws, dc, config); Progress p = progress.apply(link)) {
      return kind == Phase.Kind.echo ? roundTrips(link, dc, n, warmup) : burst(link, dc, n);
    }
  }

  private <T> PhaseResult roundTrips(DemoLink<T> link, DemoCodec<T> dc, int n, int warmup)
      throws IOException, CliException {
    Latencies latencies = new Latencies(n);
    long start = System.nanoTime();
    for (long i = 0; i < n; i++) {
      link.requests.send(dc.message(i, System.nanoTime(), DemoCodec.TEXT));
      T reply = awaitReply(link, "the echo of request " + i);
      long now = System.nanoTime();
      if (dc.seq(reply) != i) {
        throw new CliException(ExitCode.ERROR, dc.name() + " round trip: expected the echo of " + i + ", got " + dc.seq(reply));
      }
      if (i >= warmup) {
        latencies.add(now - dc.sentNanos(reply));
      }
    }
    long elapsed = System.nanoTime() - start;
    link.requests.close();
    awaitCleanEnd(link);
    return new PhaseResult(dc.name(), Phase.Kind.echo, n, link.bytes(), elapsed, latencies, 1);
  }

  private <T> PhaseResult burst(DemoLink<T> link, DemoCodec<T> dc, int n) throws IOException, CliException {
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

  private <T> T awaitReply(DemoLink<T> link, String what) throws IOException, CliException {
    T reply = link.replies.poll(timeout);
    if (reply != null) {
      return reply;
    }
    if (link.replies.isEnded()) {
      throw new CliException(ExitCode.PEER_GONE, ws.replies() + ": the peer ended its stream before " + what);
    }
    throw new CliException(ExitCode.TIMEOUT, ws.replies() + ": no " + what + " within " + DurationConverter.format(timeout));
  }

  private <T> void awaitCleanEnd(DemoLink<T> link) throws IOException, CliException {
    T extra = link.replies.poll(timeout);
    if (extra != null) {
      throw new CliException(ExitCode.ERROR, ws.replies() + ": unexpected message after the last reply");
    }
    if (!link.replies.isEnded()) {
      throw new CliException(ExitCode.TIMEOUT, ws.replies() + ": no end of stream within " + DurationConverter.format(timeout));
    }
  }
}
