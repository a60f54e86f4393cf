package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fifochan bridge}: send → FIFO → bridge → NATS (JetStream) → bridge → FIFO → recv, against a
 * real nats-server on a free loopback port, tags and the clean end kept.
 */
@Timeout(200)
class BridgeIT {
  private static final Duration LIMIT = Duration.ofSeconds(150);

  @TempDir
  Path dir;

  private static boolean haveNatsServer() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, "nats-server"))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin/nats-server"));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aStreamCrossesNatsBetweenTwoFifosUnchanged() throws Exception {
    if (!haveNatsServer()) {
      // a laptop without nats-server skips; CI installs it, so there its absence is a failure
      assertFalse("true".equals(System.getenv("CI")), "nats-server is not installed and CI=true (apt-get install nats-server)");
      assumeTrue(false, "SKIPPED: nats-server is not installed (apt-get install nats-server; with CI=true this is a failure)");
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      s.append("{\"seq\":").append(i).append(",\"price\":1.50}\n");
    }
    Files.writeString(dir.resolve("in.jsonl"), s.toString(), StandardCharsets.UTF_8);
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "PATH=$PATH:/usr/sbin; nats-server -a 127.0.0.1 -p $PORT -js -sd \"$PWD/js\" > ns.log 2>&1 & NS=$!\n"
        + "trap 'kill $NS $A $B 2> /dev/null' EXIT\n"
        + "for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2> /dev/null && break; sleep 0.1; done\n"
        + "mkfifo -m 600 a b\n"
        + "\"$F\" bridge nats-to-fifo --jetstream --server nats://127.0.0.1:$PORT --subject ev --fifo b --codec json 2> b.err & B=$!\n"
        + "\"$F\" bridge fifo-to-nats --jetstream --server nats://127.0.0.1:$PORT --subject ev --fifo a 2> a.err & A=$!\n"
        + "\"$F\" recv b > got.jsonl & R=$!\n"
        + "\"$F\" send --type order a < in.jsonl; echo \"send $?\"\n"
        + "wait $R; echo \"recv $?\"\n"
        + "kill -TERM $A $B; wait $A; echo \"bridge $?\"; wait $B; echo \"bridge $?\"; cat a.err b.err >&2\n",
        Map.of("PORT", Integer.toString(freePort())));
    assertEquals("send 0\nrecv 0\nbridge 143\nbridge 143\n", r.out(), r.err());
    assertEquals(s.toString(), Files.readString(dir.resolve("got.jsonl")));
    assertEquals("", r.err());
  }
}
