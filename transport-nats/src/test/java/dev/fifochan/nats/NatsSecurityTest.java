package dev.fifochan.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS (server verification, client certificates as PEM and PKCS12) and token authentication against a
 * TLS-enabled nats-server, with certificates this test generates (openssl; no private key is committed).
 */
@Timeout(120)
class NatsSecurityTest {
  private static final String TOKEN = "t0ken-" + Long.toHexString(System.nanoTime());
  private static Path certs;
  private static NatsServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    NatsServerProcess.binary();
    certs = Files.createTempDirectory("nats-tls");
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2"
        + " -subj /CN=fifochan-test-ca");
    for (String n : new String[] {"server", "client"}) {
      sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + n + ".key -out " + n + ".csr -subj /CN=" + n);
    }
    Files.writeString(certs.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    Files.writeString(certs.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext");
    sh("openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 -extfile client.ext");
    sh("openssl pkcs12 -export -in client.pem -inkey client.key -out client.p12 -passout pass:changeit -name client");
    Path conf = certs.resolve("server.conf");
    Files.writeString(conf, "authorization { token: \"" + TOKEN + "\" }\n"
        + "tls {\n  cert_file: \"" + certs.resolve("server.pem") + "\"\n  key_file: \"" + certs.resolve("server.key") + "\"\n"
        + "  ca_file: \"" + certs.resolve("ca.pem") + "\"\n  verify: true\n  timeout: 2\n}\n");
    server = NatsServerProcess.start(List.of("-c", conf.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (certs != null) {
      try (var s = Files.walk(certs)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void sh(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command.split(" ")).directory(certs.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
  }

  private static NatsConnectOptions.Builder tls() {
    return NatsConnectOptions.builder().server("tls://127.0.0.1:" + server.port()).tlsTrust(certs.resolve("ca.pem"))
        .maxReconnects(0);
  }

  @Test
  void pemClientCertificateAndTokenCarryAChannel() throws Exception {
    NatsConnectOptions ok = tls().tlsClientCertificate(certs.resolve("client.pem"), certs.resolve("client.key"))
        .token(TOKEN.toCharArray()).build();
    try (Receiver<String> rx = Nats.openReceiver(ok, "secure.orders", Codecs.string(), ChannelConfig.defaults(), NatsOptions.defaults());
        Sender<String> tx = Nats.openSender(ok, "secure.orders", Codecs.string(), ChannelConfig.defaults(), NatsOptions.defaults())) {
      tx.send("over TLS");
      tx.flush();
      assertEquals("over TLS", rx.receive(Duration.ofSeconds(10)));
    }
  }

  @Test
  void pkcs12ClientCertificateWorksToo() throws Exception {
    NatsConnectOptions ok = tls().tlsClientKeyStore(certs.resolve("client.p12"), "changeit".toCharArray())
        .token(TOKEN.toCharArray()).build();
    ok.connect().close();
  }

  @Test
  void wrongTokenIsRefusedWithTheCause() {
    NatsConnectOptions bad = tls().tlsClientCertificate(certs.resolve("client.pem"), certs.resolve("client.key"))
        .token("wrong".toCharArray()).build();
    NatsConnectionException e = assertThrows(NatsConnectionException.class, bad::connect);
    assertTrue(e.getMessage().contains("Authorization"), e.getMessage());
  }

  @Test
  void missingClientCertificateIsRefused() {
    NatsConnectOptions noCert = tls().token(TOKEN.toCharArray()).build();
    assertThrows(NatsConnectionException.class, noCert::connect);
  }

  @Test
  void plainConnectionToATlsServerIsRefused() {
    NatsConnectOptions plain = NatsConnectOptions.builder().server(server.url()).token(TOKEN.toCharArray()).maxReconnects(0).build();
    assertThrows(NatsConnectionException.class, plain::connect);
  }
}
