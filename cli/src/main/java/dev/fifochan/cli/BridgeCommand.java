package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.fifo.FifoOptions;
import dev.fifochan.nats.NatsBridge;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.nats.NatsOptions;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fifochan bridge}: a FIFO to a NATS subject, or a subject into a FIFO (transport-nats' {@code NatsBridge}). */
@Command(name = "bridge", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Forward a FIFO's stream to a NATS subject (fifo-to-nats) or a subject's records into a FIFO"
        + " (nats-to-fifo), record by record: type tags, headers, writer sessions, clean and aborted ends and heartbeats"
        + " are kept (docs/nats.md).",
        "fifo-to-nats follows the FIFO across writers; nats-to-fifo writes each session it receives into the FIFO."
            + " Runs until SIGTERM or Ctrl-C, which ends the output session cleanly.",
        "Guarantees (docs/nats.md §6): nats-to-fifo with --jetstream loses nothing (a message is acknowledged only once"
            + " its record is in the pipe; a restart with the same --durable may repeat up to --batch records, which"
            + " readers drop by sequence). fifo-to-nats cannot be lossless on its own: what was in the pipe and in the"
            + " bridge's buffer when it died is lost, and the subscribers see that session truncated."},
    footerHeading = "%nExamples:%n",
    footer = {"  fifochan bridge fifo-to-nats --fifo /run/app/events --subject events",
        "  fifochan bridge nats-to-fifo --subject orders --fifo /run/app/orders --server nats://10.0.0.5:4222",
        "  fifochan bridge nats-to-fifo --jetstream --durable sidecar --subject orders --fifo /run/app/orders",
        "  fifochan bridge fifo-to-nats --server tls://nats:4222 --tls-ca ca.pem --creds app.creds --fifo F --subject s"})
public final class BridgeCommand implements Callable<Integer> {
  /** Which way records go. */
  enum Direction {
    fifo_to_nats,
    nats_to_fifo
  }

  @ParentCommand
  private FifochanCommand root;

  @Mixin
  private CommonOptions common;

  @Parameters(index = "0", paramLabel = "fifo-to-nats|nats-to-fifo", converter = DirectionConverter.class,
      description = "The direction.")
  private Direction direction;

  @Option(names = "--fifo", required = true, paramLabel = "PATH", description = "The FIFO read (fifo-to-nats) or written (nats-to-fifo).")
  private Path fifo;

  @Option(names = "--subject", required = true, paramLabel = "SUBJECT",
      description = "The NATS subject published to (fifo-to-nats) or subscribed to (nats-to-fifo; wildcards allowed).")
  private String subject;

  @Option(names = "--server", paramLabel = "URL", description = "A NATS server (nats://HOST:PORT, tls://HOST:PORT); repeat"
      + " for a cluster (default: nats://127.0.0.1:4222).")
  private List<String> servers = new ArrayList<>();

  @Option(names = "--jetstream", description = "JetStream (at least once, acknowledged) instead of core NATS (at most once).")
  private boolean jetstream;

  @Option(names = "--stream", paramLabel = "NAME", description = "JetStream: the stream's name (default: derived from the subject).")
  private String stream;

  @Option(names = "--durable", paramLabel = "NAME", description = "JetStream, nats-to-fifo: a durable consumer, so a restart resumes where it stopped.")
  private String durable;

  @Option(names = "--codec", paramLabel = "NAME",
      description = "nats-to-fifo: the codec to announce for a session joined after its start (default: bytes).")
  private String codec;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "256",
      description = "nats-to-fifo: records written before each flush and acknowledgement (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Heartbeats on the output while it is idle, so readers can tell a live bridge from a dead one.")
  private Duration heartbeat;

  @Option(names = "--token", paramLabel = "TOKEN", description = "Authenticate with a token.")
  private String token;

  @Option(names = "--user", paramLabel = "USER", description = "Authenticate as USER (the password from $NATS_PASSWORD).")
  private String user;

  @Option(names = "--creds", paramLabel = "FILE", description = "Authenticate with a NATS credentials file (JWT and NKEY seed).")
  private Path creds;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "Verify the server with this CA certificate (PEM or PKCS12).")
  private Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Present this client certificate chain (PEM; with --tls-key).")
  private Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The client certificate's private key (PEM, PKCS#8).")
  private Path tlsKey;

  @Override
  public Integer call() throws Exception {
    Logging.configure(common.verbose());
    NatsBridge bridge;
    try {
      bridge = build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(bridge::close, "fifochan-bridge-stop"));
    if (common.verbose()) {
      root.io().err().println("fifochan bridge: " + (direction == Direction.fifo_to_nats ? fifo + " -> NATS " + subject
          : "NATS " + subject + " -> " + fifo) + (jetstream ? " (JetStream)" : " (core NATS)"));
    }
    try {
      bridge.run();
    } catch (ClosedChannelException e) {
      return ExitCode.OK.code(); // stopped
    } catch (IOException e) {
      throw Failures.of(direction == Direction.fifo_to_nats ? fifo.toString() : subject, e);
    }
    return ExitCode.OK.code();
  }

  private NatsBridge build() throws CliException {
    NatsConnectOptions.Builder connect = NatsConnectOptions.builder().name("fifochan bridge " + subject);
    for (String s : servers.isEmpty() ? List.of("nats://127.0.0.1:4222") : servers) {
      connect.server(s);
    }
    if (token != null) {
      connect.token(token.toCharArray());
    }
    if (user != null) {
      String password = System.getenv("NATS_PASSWORD");
      if (password == null) {
        throw new CliException(ExitCode.USAGE, "--user needs the password in $NATS_PASSWORD");
      }
      connect.userInfo(user, password.toCharArray());
    }
    if (creds != null) {
      connect.credentials(creds);
    }
    if (tlsCa != null) {
      connect.tlsTrust(tlsCa);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CliException(ExitCode.USAGE, "--tls-cert and --tls-key go together");
    }
    if (tlsCert != null) {
      connect.tlsClientCertificate(tlsCert, tlsKey);
    }
    NatsOptions.Builder nats = NatsOptions.builder().mode(jetstream ? NatsOptions.Mode.JETSTREAM : NatsOptions.Mode.CORE);
    if (stream != null) {
      nats.stream(stream);
    }
    if (durable != null) {
      nats.durable(durable);
    }
    if (jetstream) {
      nats.replay(NatsOptions.Replay.ALL);
    }
    ChannelConfig.Builder channel = ChannelConfig.builder();
    if (heartbeat != null) {
      channel.heartbeatInterval(heartbeat);
    }
    NatsBridge.Builder b = direction == Direction.fifo_to_nats ? NatsBridge.fifoToNats(fifo, subject)
        : NatsBridge.natsToFifo(subject, fifo);
    b.connect(connect.build()).options(nats.build()).channelConfig(channel.build()).batch(batch)
        .fifoOptions(FifoOptions.defaults());
    if (codec != null) {
      b.codec(codec);
    }
    return b.build();
  }

  /** fifo-to-nats / nats-to-fifo. */
  static final class DirectionConverter implements picocli.CommandLine.ITypeConverter<Direction> {
    @Override
    public Direction convert(String value) {
      switch (value) {
        case "fifo-to-nats":
          return Direction.fifo_to_nats;
        case "nats-to-fifo":
          return Direction.nats_to_fifo;
        default:
          throw new picocli.CommandLine.TypeConversionException("'" + value + "': use fifo-to-nats or nats-to-fifo");
      }
    }
  }
}
