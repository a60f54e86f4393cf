package dev.fifochan.cli.demo;

import dev.fifochan.cli.Units;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The demo's report on stdout: one line per phase and a closing line about the streams' ends and cleanup. */
final class Summary {
  private static final String ROW = "%-9s %-11s %9s %10s %8s %14s %12s  %s";
  private final List<PhaseResult> results;
  private final DemoCommand.DemoRun run;
  private final int warmup;

  Summary(List<PhaseResult> results, DemoCommand.DemoRun run, int warmup) {
    this.results = results;
    this.run = run;
    this.warmup = warmup;
  }

  private static void row(PrintStream out, Object... cells) {
    out.println(String.format(Locale.ROOT, ROW, cells).stripTrailing());
  }

  void print(PrintStream out) {
    out.printf("fifochan demo: pid %d <-> peer pid %d over FIFOs in %s (round trips: request/response calls)%n",
        ProcessHandle.current().pid(), run.peer.pid(), run.ws.dir());
    row(out, "codec", "test", "messages", "bytes", "time", "rate", "throughput", "round trip p50 / p99");
    long messages = 0;
    long bytes = 0;
    int cleanEnds = 0;
    int streams = 0;
    long calls = 0;
    for (PhaseResult r : results) {
      messages += r.messages();
      bytes += r.bytes();
      if (r.kind() == Phase.Kind.sink) {
        cleanEnds += r.cleanEnds() + 1; // + the requests stream, whose clean end the peer checked (exit 0)
        streams += 2;
      } else {
        calls += r.messages();
      }
      String latency = r.latencies() == null ? "" : Units.nanos(r.latencies().percentile(50)) + " / "
          + Units.nanos(r.latencies().percentile(99));
      row(out, r.codec(), r.kind() == Phase.Kind.echo ? "round trip" : "burst", Units.count(r.messages()),
          Units.bytes(r.bytes()), String.format(Locale.ROOT, "%.2f s", r.nanos() / 1e9),
          Units.count(Math.round(r.rate())) + " msg/s", Units.bytes(Math.round(r.byteRate())) + "/s", latency);
    }
    out.printf("total: %s messages, %s (round trips: payload bytes); round-trip percentiles exclude the first %d (warm-up)%n",
        Units.count(messages), Units.bytes(bytes), warmup);
    out.printf("%s calls answered; clean end of stream on %d of %d streams; peer exited 0; %s%n", Units.count(calls),
        cleanEnds, streams,
        run.removed() && run.peerStopped() ? "FIFOs and temporary directory removed" : "CLEANUP INCOMPLETE");
    out.flush();
  }
}
