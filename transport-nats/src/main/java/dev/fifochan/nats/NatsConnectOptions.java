package dev.fifochan.nats;

import dev.fifochan.OpenTimeoutException;
import io.nats.client.AuthHandler;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Options;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to connect to NATS: servers, TLS, credentials and reconnects, for the channels that open their own
 * connection ({@code Nats.openSender(NatsConnectOptions, ...)}; they close it when they close). Code that
 * shares one {@link Connection} between channels makes it with {@link #connect()} (or with jnats itself)
 * and passes it; those channels never close it.
 *
 * <p>Defaults: {@code nats://127.0.0.1:4222}, no TLS, no credentials, connect timeout 5 s, reconnect
 * forever every 250 ms (jitter 100 ms), ping every 10 s (two missed pings drop the connection, so a dead
 * server or a stalled connection is noticed within ~30 s), reconnect buffer 0 (a publish during an outage
 * is refused rather than buffered and maybe lost: senders wait for the reconnect instead).
 *
 * <p>TLS: {@link Builder#tlsTrust(Path)} verifies the server with a CA (PEM certificates, or a PKCS12 trust
 * store); {@link Builder#tlsClientCertificate(Path, Path)} (PEM certificate chain and PKCS#8 key) or
 * {@link Builder#tlsClientKeyStore(Path, char[])} (PKCS12) presents a client certificate. A {@code tls://}
 * server URL without an explicit trust uses the JDK's default trust.
 */
public final class NatsConnectOptions {
  private final List<String> servers;
  private final String name;
  private final Path trust;
  private final char[] trustPassword;
  private final Path clientCert;
  private final Path clientKey;
  private final Path clientKeyStore;
  private final char[] clientKeyStorePassword;
  private final SSLContext sslContext;
  private final String user;
  private final char[] password;
  private final char[] token;
  private final Path credsFile;
  private final Path nkeySeedFile;
  private final Duration connectTimeout;
  private final int maxReconnects;
  private final Duration reconnectWait;
  private final Duration pingInterval;
  private final long reconnectBufferSize;

  private NatsConnectOptions(Builder b) {
    this.servers = List.copyOf(b.servers.isEmpty() ? List.of("nats://127.0.0.1:4222") : b.servers);
    this.name = b.name;
    this.trust = b.trust;
    this.trustPassword = b.trustPassword;
    this.clientCert = b.clientCert;
    this.clientKey = b.clientKey;
    this.clientKeyStore = b.clientKeyStore;
    this.clientKeyStorePassword = b.clientKeyStorePassword;
    this.sslContext = b.sslContext;
    this.user = b.user;
    this.password = b.password;
    this.token = b.token;
    this.credsFile = b.credsFile;
    this.nkeySeedFile = b.nkeySeedFile;
    this.connectTimeout = b.connectTimeout;
    this.maxReconnects = b.maxReconnects;
    this.reconnectWait = b.reconnectWait;
    this.pingInterval = b.pingInterval;
    this.reconnectBufferSize = b.reconnectBufferSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** One server URL and every other default. */
  public static NatsConnectOptions server(String url) {
    return builder().server(url).build();
  }

  /** The server URLs. */
  public List<String> servers() {
    return servers;
  }

  /** A description for messages: the servers and the connection name. */
  public String description() {
    return String.join(",", servers) + (name != null ? " (" + name + ")" : "");
  }

  /**
   * Connects, waiting at most the connect timeout (per server round).
   *
   * @throws OpenTimeoutException if no server answered in time
   * @throws NatsConnectionException if the connection was refused; its cause is the client's error
   *     (TLS and authorization failures name their cause here, not only "unable to connect")
   */
  public Connection connect() throws IOException {
    AtomicReference<Exception> lastError = new AtomicReference<>();
    Options options = toOptions(lastError);
    try {
      return io.nats.client.Nats.connect(options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted connecting to " + description());
    } catch (IOException e) {
      Exception cause = lastError.get();
      if (cause == null) {
        cause = e;
      } else if (cause != e) {
        cause.addSuppressed(e);
      }
      if (e instanceof io.nats.client.AuthenticationException) {
        throw new NatsConnectionException(description(), "REFUSED", 0, e);
      }
      if (cause instanceof java.net.SocketTimeoutException) {
        throw new OpenTimeoutException("NATS " + description(), connectTimeout);
      }
      throw new NatsConnectionException(description(), "NOT_CONNECTED", 0, cause);
    }
  }

  /** The jnats options these settings make (for code that connects itself). */
  public Options toOptions() throws IOException {
    return toOptions(new AtomicReference<>());
  }

  private Options toOptions(AtomicReference<Exception> lastError) throws IOException {
    Options.Builder b = new Options.Builder().servers(servers.toArray(new String[0]))
        .connectionTimeout(connectTimeout).maxReconnects(maxReconnects).reconnectWait(reconnectWait)
        .reconnectJitter(Duration.ofMillis(100)).pingInterval(pingInterval).maxPingsOut(2)
        .reconnectBufferSize(reconnectBufferSize).errorListener(new Listener(lastError));
    if (name != null) {
      b.connectionName(name);
    }
    SSLContext ssl = sslContext != null ? sslContext : buildSslContext();
    if (ssl != null) {
      b.sslContext(ssl);
    }
    if (user != null) {
      b.userInfo(user.toCharArray(), password == null ? new char[0] : password.clone());
    }
    if (token != null) {
      b.token(token.clone());
    }
    if (credsFile != null) {
      AuthHandler h = io.nats.client.Nats.credentials(credsFile.toString());
      b.authHandler(h);
    } else if (nkeySeedFile != null) {
      b.authHandler(io.nats.client.Nats.staticCredentials(null, readSeed(nkeySeedFile)));
    }
    return b.build();
  }

  private static char[] readSeed(Path file) throws IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      String t = line.trim();
      if (t.startsWith("SU")) {
        return t.toCharArray();
      }
    }
    throw new IOException("no user NKEY seed (a line starting with SU) in " + file);
  }

  private SSLContext buildSslContext() throws IOException {
    if (trust == null && clientCert == null && clientKeyStore == null) {
      return null;
    }
    try {
      TrustManagerFactory tmf = null;
      if (trust != null) {
        KeyStore ts = isPem(trust) ? pemTrustStore(trust) : loadPkcs12(trust, trustPassword);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      KeyManagerFactory kmf = null;
      if (clientCert != null || clientKeyStore != null) {
        char[] pw = clientKeyStorePassword != null ? clientKeyStorePassword : new char[0];
        KeyStore ks = clientKeyStore != null ? loadPkcs12(clientKeyStore, pw) : pemKeyStore(clientCert, clientKey, pw);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for " + description() + ": " + e, e);
    }
  }

  private static boolean isPem(Path p) throws IOException {
    byte[] head = new byte[11];
    try (InputStream in = Files.newInputStream(p)) {
      int n = in.readNBytes(head, 0, head.length);
      return new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("-----BEGIN");
    }
  }

  private static KeyStore loadPkcs12(Path p, char[] password) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p)) {
      ks.load(in, password);
    }
    return ks;
  }

  private static KeyStore pemTrustStore(Path pem) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certificates(pem)) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    if (i == 0) {
      throw new GeneralSecurityException("no certificate in " + pem);
    }
    return ks;
  }

  private static KeyStore pemKeyStore(Path certPem, Path keyPem, char[] password) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> chain = certificates(certPem);
    String text = Files.readString(keyPem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int s = text.indexOf(begin);
    int e = text.indexOf("-----END PRIVATE KEY-----");
    if (s < 0 || e < 0) {
      throw new GeneralSecurityException(keyPem + " holds no PKCS#8 key ('" + begin + "'); convert it with"
          + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(s + begin.length(), e));
    PrivateKey key = null;
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
        break;
      } catch (GeneralSecurityException ignored) {
        // try the next algorithm
      }
    }
    if (key == null) {
      throw new GeneralSecurityException("unsupported private key in " + keyPem);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
    return ks;
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(pem);
    return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
  }

  /** Keeps the client's last error for {@link #connect()}'s exception; logs at DEBUG. */
  private static final class Listener implements ErrorListener {
    private static final System.Logger LOG = System.getLogger("dev.fifochan.nats");
    private final AtomicReference<Exception> last;

    Listener(AtomicReference<Exception> last) {
      this.last = last;
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      last.set(new IOException("server error: " + error));
      LOG.log(System.Logger.Level.DEBUG, "NATS server error: {0}", error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      last.set(exp);
      LOG.log(System.Logger.Level.DEBUG, "NATS client exception: {0}", exp.toString());
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
      // reported by the receiver itself from the subscription's dropped count
    }
  }

  /** Builds {@link NatsConnectOptions}. */
  public static final class Builder {
    private final List<String> servers = new ArrayList<>();
    private String name;
    private Path trust;
    private char[] trustPassword;
    private Path clientCert;
    private Path clientKey;
    private Path clientKeyStore;
    private char[] clientKeyStorePassword;
    private SSLContext sslContext;
    private String user;
    private char[] password;
    private char[] token;
    private Path credsFile;
    private Path nkeySeedFile;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private int maxReconnects = -1;
    private Duration reconnectWait = Duration.ofMillis(250);
    private Duration pingInterval = Duration.ofSeconds(10);
    private long reconnectBufferSize = 0;

    private Builder() {}

    /** Adds a server URL ({@code nats://host:port}, {@code tls://host:port}); several for a cluster. */
    public Builder server(String url) {
      servers.add(Objects.requireNonNull(url, "url"));
      return this;
    }

    /** The connection's name (shown by the server's monitoring). */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Verifies the server with the CA certificate(s) in {@code pemOrPkcs12} (a PKCS12 trust store needs no password or {@link #tlsTrust(Path, char[])}). */
    public Builder tlsTrust(Path pemOrPkcs12) {
      return tlsTrust(pemOrPkcs12, new char[0]);
    }

    public Builder tlsTrust(Path pkcs12, char[] password) {
      this.trust = Objects.requireNonNull(pkcs12, "trust");
      this.trustPassword = password == null ? null : password.clone();
      return this;
    }

    /** Presents a client certificate: a PEM certificate chain and its PEM PKCS#8 private key. */
    public Builder tlsClientCertificate(Path certPem, Path keyPem) {
      this.clientCert = Objects.requireNonNull(certPem, "certPem");
      this.clientKey = Objects.requireNonNull(keyPem, "keyPem");
      return this;
    }

    /** Presents the client certificate in a PKCS12 key store. */
    public Builder tlsClientKeyStore(Path pkcs12, char[] password) {
      this.clientKeyStore = Objects.requireNonNull(pkcs12, "pkcs12");
      this.clientKeyStorePassword = password == null ? null : password.clone();
      return this;
    }

    /** Uses this TLS context as it is (overrides the trust and client certificate settings). */
    public Builder sslContext(SSLContext context) {
      this.sslContext = context;
      return this;
    }

    public Builder userInfo(String user, char[] password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = password == null ? null : password.clone();
      return this;
    }

    public Builder token(char[] token) {
      this.token = Objects.requireNonNull(token, "token").clone();
      return this;
    }

    /** A NATS credentials file (user JWT and NKEY seed), as {@code nsc} writes it. */
    public Builder credentials(Path credsFile) {
      this.credsFile = Objects.requireNonNull(credsFile, "credsFile");
      return this;
    }

    /** A file holding a user NKEY seed ({@code SU...}), for NKEY authentication without a JWT. */
    public Builder nkeySeed(Path seedFile) {
      this.nkeySeedFile = Objects.requireNonNull(seedFile, "seedFile");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Reconnect attempts before the connection closes for good; -1: forever (the default), 0: never. */
    public Builder maxReconnects(int max) {
      this.maxReconnects = max;
      return this;
    }

    public Builder reconnectWait(Duration wait) {
      this.reconnectWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    public Builder pingInterval(Duration interval) {
      this.pingInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Bytes jnats buffers while reconnecting; 0 (the default) refuses publishes during an outage. */
    public Builder reconnectBufferSize(long bytes) {
      this.reconnectBufferSize = bytes;
      return this;
    }

    public NatsConnectOptions build() {
      return new NatsConnectOptions(this);
    }
  }
}
