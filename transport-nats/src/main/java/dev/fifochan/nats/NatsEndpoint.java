package dev.fifochan.nats;

import io.nats.client.Connection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection and who closes it: a channel opened with {@link NatsConnectOptions} owns its connection
 * and closes it when the last user releases it; a channel given a {@link Connection} never closes it.
 */
final class NatsEndpoint {
  private final Connection connection;
  private final boolean owned;
  private final String description;
  private final AtomicInteger users;

  private NatsEndpoint(Connection connection, boolean owned, String description, int users) {
    this.connection = connection;
    this.owned = owned;
    this.description = description;
    this.users = new AtomicInteger(users);
  }

  /** A connection the caller keeps and closes. */
  static NatsEndpoint shared(Connection c) {
    return new NatsEndpoint(c, false, describe(c), Integer.MAX_VALUE / 2);
  }

  /** A connection closed when {@code users} releases have been made. */
  static NatsEndpoint owned(Connection c, int users) {
    return new NatsEndpoint(c, true, describe(c), users);
  }

  private static String describe(Connection c) {
    String url = c.getConnectedUrl();
    String name = c.getOptions() != null ? c.getOptions().getConnectionName() : null;
    return (url != null ? url : String.join(",", c.getServers())) + (name != null ? " (" + name + ")" : "");
  }

  Connection connection() {
    return connection;
  }

  String description() {
    return description;
  }

  /** One user is done; the last one closes an owned connection (in the background: closing waits for the server). */
  void release() {
    if (users.decrementAndGet() == 0 && owned) {
      Thread t = new Thread(() -> {
        try {
          connection.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "fifochan-nats-close");
      t.setDaemon(true);
      t.start();
    }
  }
}
