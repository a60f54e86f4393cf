package dev.fifochan.it.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Envelope;
import dev.fifochan.Headers;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.interop.Ping;
import dev.fifochan.interop.Pong;
import dev.fifochan.json.JsonCodec;
import dev.fifochan.nats.Nats;
import dev.fifochan.nats.NatsBridge;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.nats.NatsOptions;
import dev.fifochan.nats.NatsServerProcess;
import dev.fifochan.protobuf.ProtobufCodec;
import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Java and Go over a real nats-server (docs/nats.md): both directions, protobuf and JSON, core NATS and
 * JetStream, order, content and headers checked ({@code -Dfifochan.it.natsMessages}, default 100,000);
 * and the bridge FIFO → NATS → FIFO between a Java writer and a Go reader, the NATS → FIFO bridge
 * SIGKILLed and restarted mid-stream in JetStream mode with nothing lost
 * ({@code -Dfifochan.it.bridgeMessages}, default 20,000).
 */
@Timeout(600)
class NatsInteropTest {
  private static final int N = Integer.getInteger("fifochan.it.natsMessages", 100_000);
  private static final int BRIDGE_N = Integer.getInteger("fifochan.it.bridgeMessages", 20_000);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static NatsServerProcess server;
  private static Connection nc;
  private static Path peer;

  @BeforeAll
  static void setUp() throws Exception {
    server = NatsServerProcess.start();
    nc = NatsConnectOptions.server(server.url()).connect();
    peer = buildPeer();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (nc != null) {
      nc.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static Codec<Message> protobuf() {
    return ProtobufCodec.registry(Ping.getDefaultInstance(), Pong.getDefaultInstance());
  }

  private static Headers headers(long seq) {
    Headers.Builder b = Headers.builder().put("n", Long.toString(seq));
    if (seq % 100 == 0) {
      b.put("bin", new byte[] {0, (byte) 0xE9, 0x0A}).put("u", "café-" + seq);
    }
    return b.build();
  }

  private static void checkHeaders(long seq, Headers h) {
    assertEquals(Long.toString(seq), h.getString("n"));
    if (seq % 100 == 0) {
      assertEquals("café-" + seq, h.getString("u"));
      assertTrue(java.util.Arrays.equals(new byte[] {0, (byte) 0xE9, 0x0A}, h.get("bin")));
    }
  }

  @Test
  void javaToGoProtobufCore() throws Exception {
    javaToGo("protobuf", false);
  }

  @Test
  void javaToGoJsonJetStream() throws Exception {
    javaToGo("json", true);
  }

  @Test
  void goToJavaJsonCore() throws Exception {
    goToJava("json", false);
  }

  @Test
  void goToJavaProtobufJetStream() throws Exception {
    goToJava("protobuf", true);
  }

  private void javaToGo(String codec, boolean js) throws Exception {
    String subject = "it.j2g." + codec + (js ? ".js" : ".core");
    List<String> cmd = new ArrayList<>(List.of(peer.toString(), "recv", "-url", server.url(), "-subject", subject, "-codec", codec,
        "-count", Integer.toString(N)));
    if (js) {
      cmd.addAll(List.of("-js", "-all"));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("READY", out.readLine());
    NatsOptions o = js ? NatsOptions.jetStream() : NatsOptions.defaults();
    if (codec.equals("protobuf")) {
      try (Sender<Message> tx = Nats.openSender(nc, subject, protobuf(), ChannelConfig.defaults(), o)) {
        for (int i = 0; i < N; i++) {
          tx.send(Ping.newBuilder().setSeq(i).setText("ping-" + i).build(), headers(i));
        }
      }
    } else {
      try (Sender<JsonNode> tx = Nats.openSender(nc, subject, JsonCodec.tree(), ChannelConfig.defaults(), o)) {
        for (int i = 0; i < N; i++) {
          ObjectNode m = MAPPER.createObjectNode().put("seq", i).put("text", "ping-" + i);
          tx.send(m, headers(i));
        }
      }
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Go receiver did not finish");
    String rest = readAll(out);
    assertEquals(0, p.exitValue(), rest);
    assertTrue(rest.startsWith("OK " + N), rest);
  }

  private void goToJava(String codec, boolean js) throws Exception {
    String subject = "it.g2j." + codec + (js ? ".js" : ".core");
    NatsOptions o = js ? NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).replay(NatsOptions.Replay.ALL).build()
        : NatsOptions.defaults();
    List<String> cmd = new ArrayList<>(List.of(peer.toString(), "send", "-url", server.url(), "-subject", subject, "-codec", codec,
        "-count", Integer.toString(N)));
    if (js) {
      cmd.add("-js");
    }
    if (codec.equals("protobuf")) {
      try (Receiver<Message> rx = Nats.openReceiver(nc, subject, protobuf(), ChannelConfig.defaults(), o)) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        for (int i = 0; i < N; i++) {
          Envelope<Message> e = rx.receiveEnvelope(Duration.ofSeconds(60));
          Ping ping = (Ping) e.value();
          assertEquals(i, ping.getSeq());
          assertEquals("ping-" + i, ping.getText());
          assertEquals("fifochan.interop.Ping", e.tag());
          checkHeaders(i, e.headers());
        }
        assertNull(rx.receive(Duration.ofSeconds(60)));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), readAll(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))));
      }
    } else {
      try (Receiver<JsonNode> rx = Nats.openReceiver(nc, subject, JsonCodec.tree(), ChannelConfig.defaults(), o)) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        for (int i = 0; i < N; i++) {
          Envelope<JsonNode> e = rx.receiveEnvelope(Duration.ofSeconds(60));
          assertEquals(i, e.value().get("seq").asLong());
          assertEquals("ping-" + i, e.value().get("text").asText());
          checkHeaders(i, e.headers());
        }
        assertNull(rx.receive(Duration.ofSeconds(60)));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), readAll(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))));
      }
    }
  }

  /**
   * Java writer → FIFO A → bridge (FIFO → NATS, JetStream) → subject → bridge (NATS → FIFO, JetStream,
   * a child JVM) → FIFO B → Go reader. The NATS → FIFO bridge is SIGKILLed a third of the way through and
   * restarted; the Go reader must get every sequence number (duplicates allowed and counted).
   */
  @Test
  void bridgeKilledAndRestartedMidStreamLosesNothing() throws Exception {
    Path dir = Files.createTempDirectory("nats-bridge");
    Path fifoA = dir.resolve("a");
    Path fifoB = dir.resolve("b");
    Fifo.create(fifoA);
    Fifo.create(fifoB);
    String subject = "it.bridge." + System.nanoTime();
    NatsOptions js = NatsOptions.builder().mode(NatsOptions.Mode.JETSTREAM).build();
    // the stream exists before either bridge starts, so nothing published is missed
    Nats.openSink(nc, subject, ChannelConfig.defaults(), js).close();
    Process reader = new ProcessBuilder(peer.toString(), "fifo-recv", "-path", fifoB.toString(), "-codec", "protobuf",
        "-count", Integer.toString(BRIDGE_N)).redirectError(dir.resolve("reader.err").toFile()).start();
    BufferedReader readerOut = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("READY", readerOut.readLine());
    NatsBridge in = NatsBridge.fifoToNats(fifoA, subject).connection(nc).options(js).build().start();
    Process out = startOutBridge(fifoB, subject, dir, 1);
    Process restarted = null;
    long killedAfter = -1;
    try {
      try (Sender<Message> tx = Fifo.openSender(fifoA, protobuf())) {
        for (int i = 0; i < BRIDGE_N; i++) {
          tx.send(Ping.newBuilder().setSeq(i).setText("ping-" + i).build(), headers(i));
          if (i == BRIDGE_N / 3) {
            tx.flush();
            Thread.sleep(300);
            out.destroyForcibly(); // SIGKILL
            out.waitFor(10, TimeUnit.SECONDS);
            killedAfter = i;
            restarted = startOutBridge(fifoB, subject, dir, 2);
          }
        }
      }
      assertTrue(reader.waitFor(240, TimeUnit.SECONDS), "the Go reader did not get every message; its stderr: "
          + Files.readString(dir.resolve("reader.err")));
      String result = readAll(readerOut);
      assertEquals(0, reader.exitValue(), result + Files.readString(dir.resolve("reader.err")));
      assertTrue(result.startsWith("OK " + BRIDGE_N), result);
      System.out.printf("bridge NATS->FIFO SIGKILLed after message %d of %d, restarted: %s%n", killedAfter, BRIDGE_N, result.trim());
    } finally {
      in.close();
      out.destroyForcibly();
      if (restarted != null) {
        restarted.destroyForcibly();
      }
      reader.destroyForcibly();
    }
  }

  private static Process startOutBridge(Path fifo, String subject, Path dir, int n) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.fifochan.nats.NatsBridge",
        "nats-to-fifo", "--fifo", fifo.toString(), "--subject", subject, "--server", server.url(), "--jetstream",
        "--durable", "bridge-out", "--codec", "protobuf")
        .redirectErrorStream(true).redirectOutput(dir.resolve("bridge-out-" + n + ".log").toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until && !Files.readString(dir.resolve("bridge-out-" + n + ".log")).contains("READY")) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return p;
  }

  private static String readAll(BufferedReader r) throws IOException {
    StringBuilder sb = new StringBuilder();
    String line;
    while ((line = r.readLine()) != null) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /** Builds go/nats/cmd/fifochan-nats-peer (the Go module go/nats) into target/. */
  private static Path buildPeer() throws Exception {
    String go = findGo();
    if (go == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but no Go toolchain on PATH: the NATS interop tests cannot run");
      }
      assumeTrue(false, "SKIPPED: no Go toolchain on PATH (needed for the Go NATS peer; with CI=true this is a failure)");
    }
    String module = System.getProperty("fifochan.it.goModule");
    Path goNats = module != null ? Path.of(module, "nats") : Path.of(System.getenv("FIFOCHAN_REPO_ROOT"), "go", "nats");
    Path out = Path.of(System.getProperty("fifochan.it.buildDir", "target")).toAbsolutePath().resolve("fifochan-nats-peer");
    Process p = new ProcessBuilder(go, "build", "-o", out.toString(), "./cmd/fifochan-nats-peer").directory(goNats.toFile())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "go build in " + goNats + " failed:\n" + log);
    return out;
  }

  private static String findGo() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "go"))) {
        return Path.of(d, "go").toString();
      }
    }
    return Files.isExecutable(Path.of("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : null;
  }
}
