package dev.fifochan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the cross-process benchmark once with tiny counts ({@code --smoke}): a second JVM, real FIFOs,
 * every workload, every variant and peer (fifochan, raw, naive, C, Aeron IPC, gRPC), and every extra
 * (JMH in-process, first open, CLI send, Go benchmarks, memory probes). It checks correctness only:
 * every message of every trial arrived, every round trip came back, every peer that can run ran
 * (under {@code CI=true} the C, Aeron and gRPC peers, the CLI and the Go benchmarks must run), the
 * tables, target verdicts and charts were written. It never asserts a figure.
 */
class SmokeTest {
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void everyTrialDeliversEveryMessage() throws Exception {
    Path out = Paths.get("target", "smoke-results");
    Harness.deleteTree(out);
    assertEquals(0, Main.run("--smoke", "--cpus", "none", "--results-dir", out.toString()),
        "a trial lost or corrupted messages, or a required peer could not run (see the output)");
    for (String f : List.of("results.md", "trials.csv", "summary.csv", "targets.csv", "charts/throughput-bytes100.png",
        "charts/latency-none.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("### Targets (issue 14)"), "targets table");
    assertEquals(20, Files.readAllLines(out.resolve("targets.csv")).stream().filter(l -> l.startsWith("14,")).count(),
        "every issue-14 target row");
    List<String> trials = Files.readAllLines(out.resolve("trials.csv"));
    for (String v : List.of(",fifochan-rpc,", ",fifochan-frames,", ",fifochan-spin,")) {
      assertTrue(trials.stream().anyMatch(l -> l.contains(v)), "trials of " + v);
    }
  }

  /**
   * Issue 12's variants (fifochan over core NATS and JetStream, plain jnats and plain JetStream) once,
   * protobuf only, one-way and round trip, against a nats-server the run starts: every message of every
   * trial arrived and every NATS target row is computed. Skipped without a nats-server binary, except
   * with {@code CI=true} (CI installs it), where that fails.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void natsVariantsDeliverEveryMessage() throws Exception {
    String why = new NatsPeer("jnats", false, false).unavailable();
    if (why != null) {
      assertTrue(!BenchEnv.ci(), "CI=true but " + why);
      assumeTrue(false, "SKIPPED: " + why);
    }
    Path out = Paths.get("target", "smoke-results-nats");
    Harness.deleteTree(out);
    assertEquals(0, Main.run("--smoke", "--cpus", "none", "--workloads", "proto", "--variants",
        "fifochan-nats,fifochan-nats-js,jnats,jnats-js", "--no-extras", "--no-charts", "--results-dir", out.toString()),
        "a NATS trial lost or corrupted messages (see the output)");
    List<String> trials = Files.readAllLines(out.resolve("trials.csv"));
    for (String v : List.of(",fifochan-nats,", ",fifochan-nats-js,", ",jnats,", ",jnats-js,")) {
      assertTrue(trials.stream().anyMatch(l -> l.contains(v) && l.startsWith("tput")), "one-way trial of " + v);
      assertTrue(trials.stream().anyMatch(l -> l.contains(v) && l.startsWith("rtt")), "round trip of " + v);
    }
    assertEquals(10, Files.readAllLines(out.resolve("targets.csv")).stream().filter(l -> l.startsWith("12,")).count(),
        "every issue-12 target row");
  }
}
