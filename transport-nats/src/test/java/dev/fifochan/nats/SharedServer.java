package dev.fifochan.nats;

import io.nats.client.Connection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real nats-server and one connection to it for a whole test class:
 * {@code @RegisterExtension static final SharedServer NATS = new SharedServer();}, then {@code NATS.nc()}.
 * Started before the class's first test, closed after its last.
 */
final class SharedServer implements BeforeAllCallback, AfterAllCallback {
  private NatsServerProcess server;
  private Connection nc;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = NatsServerProcess.start();
    nc = NatsConnectOptions.server(server.url()).connect();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (nc != null) {
      nc.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The class's connection. */
  Connection nc() {
    return nc;
  }
}
