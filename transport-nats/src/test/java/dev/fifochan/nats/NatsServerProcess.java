package dev.fifochan.nats;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code nats-server} for tests: started on free loopback ports with JetStream in a temporary
 * directory, killable with SIGKILL and restartable on the same ports and store. Also a three-node
 * cluster (routes on loopback). Finds the binary in {@code $FIFOCHAN_NATS_SERVER}, on the PATH or in
 * {@code /usr/sbin}; without one the test is skipped with a reason, except with {@code CI=true}, where it
 * fails (CI installs Debian's {@code nats-server}).
 *
 * <p>Also used by the benchmark's "fifochan over NATS" rows through this module's test jar.
 */
public final class NatsServerProcess implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final List<String> extraArgs;
  private final int port;
  private final int monitorPort;
  private final String name;
  private Process process;

  private NatsServerProcess(Path binary, Path dir, String name, int port, int monitorPort, List<String> extraArgs) {
    this.binary = binary;
    this.dir = dir;
    this.name = name;
    this.port = port;
    this.monitorPort = monitorPort;
    this.extraArgs = extraArgs;
  }

  /** A single server with JetStream, started. */
  public static NatsServerProcess start() throws IOException {
    return start(List.of());
  }

  /** A single server with JetStream and these extra arguments (e.g. {@code -c file}), started. */
  public static NatsServerProcess start(List<String> extraArgs) throws IOException {
    Path bin = binary();
    Path dir = Files.createTempDirectory("nats-server");
    NatsServerProcess s = new NatsServerProcess(bin, dir, "n1", freePort(), freePort(), extraArgs);
    s.launch();
    return s;
  }

  /** Three servers with JetStream, routed to each other (a cluster on loopback), started. */
  public static List<NatsServerProcess> cluster() throws IOException {
    Path bin = binary();
    Path dir = Files.createTempDirectory("nats-cluster");
    int[] routes = {freePort(), freePort(), freePort()};
    String routeList = "nats://127.0.0.1:" + routes[0] + ",nats://127.0.0.1:" + routes[1] + ",nats://127.0.0.1:" + routes[2];
    List<NatsServerProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path d = Files.createDirectories(dir.resolve("n" + (i + 1)));
      nodes.add(new NatsServerProcess(bin, d, "n" + (i + 1), freePort(), freePort(),
          List.of("--cluster_name", "fc", "--cluster", "nats://127.0.0.1:" + routes[i], "--routes", routeList)));
    }
    for (NatsServerProcess n : nodes) {
      n.process = n.spawn();
    }
    for (NatsServerProcess n : nodes) {
      n.awaitHealthy();
    }
    return nodes;
  }

  /** The client URL. */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  /** The server's process id. */
  public long pid() {
    return process.pid();
  }

  /** Kills the server with SIGKILL and waits for it to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts the server again on the same ports and store. */
  public void restart() throws IOException {
    launch();
  }

  private void launch() throws IOException {
    process = spawn();
    awaitHealthy();
  }

  private Process spawn() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-js", "-sd", dir.resolve("js").toString(), "-a", "127.0.0.1",
        "-p", Integer.toString(port), "-m", Integer.toString(monitorPort), "--server_name", name));
    cmd.addAll(extraArgs);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
        dir.resolve("server.log").toFile())).start();
  }

  private void awaitHealthy() throws IOException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IOException("nats-server exited (" + process.exitValue() + "): " + log());
      }
      if (healthy()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    throw new IOException("nats-server not healthy within 20 s: " + log());
  }

  private boolean healthy() {
    try {
      HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + monitorPort + "/healthz").openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      int code = c.getResponseCode();
      c.disconnect();
      if (code != 200) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The server's log so far. */
  public String log() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  /** A free loopback port (closed again; the server binds it right after). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Whether tests run on CI (then a missing server binary is a failure). */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The nats-server binary; skips the test (or fails on CI) without one. */
  public static Path binary() {
    String env = System.getenv("FIFOCHAN_NATS_SERVER");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
    dirs.add("/usr/sbin");
    dirs.add("/usr/local/sbin");
    for (String d : dirs) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nats-server"))) {
        return Path.of(d, "nats-server");
      }
    }
    if (onCi()) {
      throw new AssertionError("CI=true but no nats-server binary (PATH, /usr/sbin or $FIFOCHAN_NATS_SERVER): the NATS tests"
          + " cannot run; install it with apt-get install -y nats-server");
    }
    assumeTrue(false, "SKIPPED: no nats-server binary on PATH, in /usr/sbin or in $FIFOCHAN_NATS_SERVER; install Debian's"
        + " nats-server to run the NATS tests (with CI=true this is a failure)");
    throw new AssertionError("unreachable");
  }
}
