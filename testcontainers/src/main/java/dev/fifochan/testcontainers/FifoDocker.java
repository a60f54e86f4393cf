package dev.fifochan.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.lifecycle.Startable;

/**
 * Checks, before a container that mounts a {@link FifoVolume} starts, that the Docker daemon can
 * carry FIFOs to its containers and that Testcontainers is configured for it, and says what to change
 * if not ({@link DockerNotUsableException}). {@link FifoVolume#mountInto} runs it for every container
 * (once per JVM); tests may call {@link #require()} themselves, for example in {@code @BeforeAll}.
 *
 * <p>What it checks, in this order:
 * <ol>
 *   <li>this JVM runs on Linux (a FIFO on macOS or Windows cannot reach Docker Desktop's Linux VM);</li>
 *   <li>if {@code DOCKER_HOST} is set, that a daemon answers there (Testcontainers would otherwise
 *       look elsewhere for a while and might use another daemon); otherwise that Testcontainers finds
 *       one;</li>
 *   <li>that the daemon shares this JVM's kernel: a Linux daemon, not Docker Desktop, reporting the
 *       kernel release this JVM runs on, reached over a Unix socket or a local address;</li>
 *   <li>for a daemon without a {@code bridge} network (started with {@code --bridge=none}), that
 *       {@code TESTCONTAINERS_HOST_OVERRIDE}, {@code TESTCONTAINERS_RYUK_DISABLED=true} and
 *       {@code TESTCONTAINERS_CHECKS_DISABLE=true} are set in the environment: without the first,
 *       Testcontainers fails with {@code 404 network bridge not found} when it runs in a container;
 *       without the others it pulls its Ryuk and start-up-check images, which stalls for minutes where
 *       no registry answers (as is usual where the daemon has no bridge network).</li>
 * </ol>
 * The checks of the kernel can be turned off with {@code -Dfifochan.testcontainers.dockerCheck=false}
 * or {@code FIFOCHAN_DOCKER_CHECK=false} for a set-up they misjudge.
 */
public final class FifoDocker {
  /** Run by containers that mount a volume, before they start ({@link FifoVolume#mountInto}). */
  static final Startable CHECK = new Startable() {
    @Override
    public void start() {
      require();
    }

    @Override
    public void stop() {
      // nothing to stop
    }

    @Override
    public String toString() {
      return "FifoDocker check";
    }
  };

  private static final int PING_TIMEOUT_MILLIS = 3_000;
  private static final Object LOCK = new Object();
  private static Daemon checked;
  private static DockerNotUsableException failed;

  private FifoDocker() {}

  /** What the check found out about the daemon. */
  public record Daemon(String endpoint, String osType, String operatingSystem, String kernelVersion,
      Set<String> networks) {
    public Daemon {
      networks = Set.copyOf(networks);
    }

    /** Whether the daemon has Docker's default {@code bridge} network. */
    public boolean hasBridgeNetwork() {
      return networks.contains("bridge");
    }
  }

  /**
   * Checks the daemon once per JVM (later calls return or throw the same result).
   *
   * @return what was found
   * @throws DockerNotUsableException if the daemon cannot serve a {@link FifoVolume}
   */
  public static Daemon require() {
    synchronized (LOCK) {
      if (checked != null) {
        return checked;
      }
      if (failed != null) {
        throw failed;
      }
      try {
        checked = check(System.getenv(), System.getProperty("os.name", "unknown"), hostKernel());
        return checked;
      } catch (DockerNotUsableException e) {
        failed = e;
        throw e;
      }
    }
  }

  /** {@link #require()} without the cache, for a given environment, host OS name and host kernel release. */
  static Daemon check(Map<String, String> env, String hostOs, String hostKernel) {
    if (!hostOs.toLowerCase(Locale.ROOT).startsWith("linux")) {
      throw new DockerNotUsableException(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, null,
          "this JVM runs on " + hostOs + ", and Docker's containers run in a Linux VM there (Docker Desktop):"
              + " a FIFO cannot connect processes across that VM's boundary, and the FIFO transport needs Linux.",
          "Run these tests on a Linux host, or inside the VM next to the daemon.", List.of(), null);
    }
    String dockerHost = env.get("DOCKER_HOST");
    if (dockerHost != null && !dockerHost.isBlank()) {
      String problem = ping(dockerHost.trim(), env);
      if (problem != null) {
        throw new DockerNotUsableException(DockerNotUsableException.Reason.NO_DAEMON, dockerHost.trim(),
            "DOCKER_HOST names it, but " + problem + ".",
            "Start the daemon there, or point DOCKER_HOST at one that runs (unset it to use /var/run/docker.sock)."
                + " Left alone, Testcontainers would try other places for a while and might use another daemon.",
            List.of(), null);
      }
    }
    TransportConfig transport;
    try {
      transport = DockerClientFactory.instance().getTransportConfig();
    } catch (RuntimeException e) {
      throw new DockerNotUsableException(DockerNotUsableException.Reason.NO_DAEMON, dockerHost,
          "Testcontainers found none (" + oneLine(e) + ").",
          "Start a Docker daemon on this host (Debian: apt-get install docker.io; then start dockerd) or set"
              + " DOCKER_HOST to one that runs on this host.", List.of(), e);
    }
    Daemon daemon;
    try (DockerClient client = DockerClientProviderStrategy.getClientForConfig(transport)) {
      Info info = client.infoCmd().exec();
      Set<String> networks = new TreeSet<>();
      for (Network n : client.listNetworksCmd().exec()) {
        networks.add(n.getName());
      }
      daemon = new Daemon(String.valueOf(transport.getDockerHost()), info.getOsType(), info.getOperatingSystem(),
          info.getKernelVersion(), networks);
    } catch (IOException | RuntimeException e) {
      throw new DockerNotUsableException(DockerNotUsableException.Reason.NO_DAEMON, String.valueOf(transport.getDockerHost()),
          "the daemon Testcontainers found does not answer its info and network requests (" + oneLine(e) + ").",
          "Check that the daemon is healthy (docker info).", List.of(), e);
    }
    DockerNotUsableException problem = assess(daemon, hostKernel, env, checksDisabledByTestcontainers(),
        kernelCheckWanted(env));
    if (problem != null) {
      throw problem;
    }
    return daemon;
  }

  /**
   * The verdict on {@code daemon} for a Linux host running kernel {@code hostKernel}: null if it can
   * serve FIFO volumes, else the failure to throw. A pure function, apart from resolving the host
   * name of a {@code tcp://} endpoint.
   *
   * @param env the environment Testcontainers reads its variables from
   * @param checksDisabled whether Testcontainers' start-up checks are off by some other means (its
   *     properties file)
   * @param kernelCheck false to skip the checks that the daemon shares this kernel
   */
  static DockerNotUsableException assess(Daemon daemon, String hostKernel, Map<String, String> env,
      boolean checksDisabled, boolean kernelCheck) {
    String endpoint = daemon.endpoint();
    if (kernelCheck) {
      String cannot = null;
      if (!"linux".equalsIgnoreCase(String.valueOf(daemon.osType()))) {
        cannot = "the daemon runs " + daemon.osType() + " containers, not Linux ones.";
      } else if (String.valueOf(daemon.operatingSystem()).contains("Docker Desktop")) {
        cannot = "the daemon is Docker Desktop (\"" + daemon.operatingSystem() + "\", kernel " + daemon.kernelVersion()
            + "): its containers run in a VM with a kernel of their own, which a FIFO of this host cannot reach.";
      } else if (hostKernel != null && !hostKernel.equals(daemon.kernelVersion())) {
        cannot = "the daemon reports kernel " + daemon.kernelVersion() + " but this JVM runs on kernel " + hostKernel
            + ": the containers run on another kernel (a VM or another machine), which a FIFO cannot reach.";
      } else if (!isLocal(endpoint)) {
        cannot = "the daemon is reached over the network at " + endpoint + ", not on this host: its containers would"
            + " see its file system, not this JVM's FIFOs.";
      }
      if (cannot != null) {
        return new DockerNotUsableException(DockerNotUsableException.Reason.CANNOT_CARRY_FIFOS, endpoint, cannot,
            "Run the tests on the host that runs the containers (a Linux host with a local Docker daemon);"
                + " if this check misjudges your set-up, turn it off with -Dfifochan.testcontainers.dockerCheck=false.",
            List.of(), null);
      }
    }
    if (!daemon.hasBridgeNetwork()) {
      List<String> missing = new ArrayList<>();
      String override = env.get("TESTCONTAINERS_HOST_OVERRIDE");
      if (override == null || override.isBlank()) {
        missing.add("TESTCONTAINERS_HOST_OVERRIDE=localhost");
      }
      if (!"true".equalsIgnoreCase(env.get("TESTCONTAINERS_RYUK_DISABLED"))) {
        missing.add("TESTCONTAINERS_RYUK_DISABLED=true");
      }
      if (!checksDisabled && !"true".equalsIgnoreCase(env.get("TESTCONTAINERS_CHECKS_DISABLE"))) {
        missing.add("TESTCONTAINERS_CHECKS_DISABLE=true");
      }
      if (!missing.isEmpty()) {
        return new DockerNotUsableException(DockerNotUsableException.Reason.NEEDS_CONFIGURATION, endpoint,
            "the daemon has no \"bridge\" network (it was started with --bridge=none; networks: " + daemon.networks()
                + "). Testcontainers looks that network up to find the host's address when it runs in a container"
                + " (\"404 network bridge not found\"), and such a daemon usually has no image registry either, from"
                + " which its Ryuk reaper and its start-up checks would pull images (stalling for minutes).",
            "Set " + String.join(", ", missing) + " in the environment of the test JVM (Testcontainers reads them"
                + " from the environment only; with Maven: Surefire's <environmentVariables>). Containers then need"
                + " --network none or another network of the daemon; with Ryuk off, images built by tests are not"
                + " removed by Testcontainers.",
            missing, null);
      }
    }
    return null;
  }

  /** Whether {@code endpoint} is a Unix socket, a named pipe or a TCP address of this machine. */
  static boolean isLocal(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      return true; // not ours to judge
    }
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    if (!scheme.equals("tcp") && !scheme.equals("http") && !scheme.equals("https") && !scheme.equals("ssh")) {
      return true;
    }
    String host = uri.getHost();
    if (host == null) {
      return true;
    }
    try {
      InetAddress address = InetAddress.getByName(host);
      return address.isLoopbackAddress() || address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Asks the daemon at {@code dockerHost} for {@code /_ping}; null if it answered, else what went
   * wrong. Endpoints other than {@code unix://} and {@code tcp://} are not probed (null).
   */
  static String ping(String dockerHost, Map<String, String> env) {
    URI uri;
    try {
      uri = URI.create(dockerHost);
    } catch (IllegalArgumentException e) {
      return "it is not a URI (" + e.getMessage() + ")";
    }
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    byte[] request = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    if (scheme.equals("unix")) {
      Path socket = Path.of(uri.getPath());
      if (!Files.exists(socket)) {
        return "there is no socket " + socket;
      }
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
           Selector selector = Selector.open()) {
        ch.write(ByteBuffer.wrap(request));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ);
        ByteBuffer answer = ByteBuffer.allocate(64);
        long deadline = System.nanoTime() + PING_TIMEOUT_MILLIS * 1_000_000L;
        while (answer.position() < 12) {
          long left = (deadline - System.nanoTime()) / 1_000_000;
          if (left <= 0 || selector.select(left) == 0) {
            return "nothing answered on " + socket + " within " + PING_TIMEOUT_MILLIS + " ms";
          }
          selector.selectedKeys().clear();
          if (ch.read(answer) < 0) {
            break;
          }
        }
        return httpOk(new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII), socket.toString());
      } catch (IOException e) {
        return "connecting to " + socket + " failed (" + oneLine(e) + ")";
      }
    }
    if (scheme.equals("tcp")) {
      String host = uri.getHost();
      int port = uri.getPort() > 0 ? uri.getPort() : (env.get("DOCKER_TLS_VERIFY") != null ? 2376 : 2375);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), PING_TIMEOUT_MILLIS);
        String tls = env.get("DOCKER_TLS_VERIFY");
        if (tls != null && !tls.isEmpty() && !tls.equals("0")) {
          return null; // TLS: a listener is all we check
        }
        s.setSoTimeout(PING_TIMEOUT_MILLIS);
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] b = in.readNBytes(12);
        return httpOk(new String(b, StandardCharsets.US_ASCII), host + ":" + port);
      } catch (SocketException e) {
        return "connecting to " + host + ":" + port + " failed (" + oneLine(e) + ")";
      } catch (IOException e) {
        return "nothing answered on " + host + ":" + port + " (" + oneLine(e) + ")";
      }
    }
    return null;
  }

  private static String httpOk(String head, String where) {
    if (head.startsWith("HTTP/1.") && head.length() >= 12 && head.substring(9, 12).equals("200")) {
      return null;
    }
    return "what answers on " + where + " is not a Docker daemon (it said \"" + head.trim() + "\")";
  }

  private static boolean checksDisabledByTestcontainers() {
    try {
      return org.testcontainers.utility.TestcontainersConfiguration.getInstance().isDisableChecks();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean kernelCheckWanted(Map<String, String> env) {
    String p = System.getProperty("fifochan.testcontainers.dockerCheck", env.get("FIFOCHAN_DOCKER_CHECK"));
    return p == null || !p.trim().equalsIgnoreCase("false");
  }

  /** The release of the kernel this JVM runs on (as {@code uname -r}), or null if unknown. */
  static String hostKernel() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return Objects.requireNonNull(m).replace('\n', ' ').trim();
  }
}
