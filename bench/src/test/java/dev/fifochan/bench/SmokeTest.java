package dev.fifochan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the cross-process benchmark once with tiny counts ({@code --smoke}): a second JVM, real FIFOs,
 * every workload and variant. It checks correctness only — every message of every trial arrived and
 * every round trip came back — never speed.
 */
class SmokeTest {
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyTrialDeliversEveryMessage() throws Exception {
    assertEquals(0, Main.run("--smoke", "--cpus", "none"), "a trial lost or corrupted messages (see the output)");
  }
}
