package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator reads (System.Logger "dev.fifochan.rpc", here through its default java.util.logging
 * backend): connections made, lost and made again, a responder shutting down, a handshake mismatch on
 * both sides; and no line per call.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcLoggingTest {
  private static final Duration D = Duration.ofSeconds(10);
  private final Logger jul = Logger.getLogger("dev.fifochan.rpc");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level before;

  @BeforeEach
  void capture() {
    before = jul.getLevel();
    jul.setLevel(Level.INFO);
    jul.addHandler(handler);
  }

  @AfterEach
  void release() {
    jul.removeHandler(handler);
    jul.setLevel(before);
  }

  private List<String> lines(Level atLeast) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getLevel().intValue() >= atLeast.intValue()) {
        out.add(r.getLevel() + " " + MessageFormat.format(r.getMessage(), r.getParameters() == null
            ? new Object[0] : r.getParameters()));
      }
    }
    return out;
  }

  private boolean logged(Level level, String part) {
    return lines(level).stream().anyMatch(l -> l.startsWith(level.getName()) && l.contains(part));
  }

  private void await(Level level, String part) throws InterruptedException {
    for (int i = 0; i < 500 && !logged(level, part); i++) {
      Thread.sleep(10);
    }
    assertTrue(logged(level, part), () -> "no " + level + " line with '" + part + "' in " + lines(Level.ALL));
  }

  @Test
  void connectionsLossesReconnectsAndShutdownsAreLoggedButCallsAreNot() throws Exception {
    Path dir = Rpc.dir("logging");
    RpcResponder<String> first = RpcResponder.builder(Codecs.string()).handle("echo", String.class, (s, c) -> s).build();
    first.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    RpcConfig fast = RpcConfig.builder().reconnectDelay(Duration.ofMillis(50)).build();
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).config(fast).build()) {
      for (int i = 0; i < 50; i++) {
        assertEquals("x", client.callBlocking("echo", "x", String.class, D));
      }
      await(Level.INFO, "connected: client link");
      await(Level.INFO, "connected: responder link");
      int beforeShutdown = records.size();
      assertTrue(first.shutdown(D));
      await(Level.INFO, "shutting down, 1 connection(s) open, "); // the last call may still be leaving the responder
      await(Level.INFO, "the responder is going away");
      await(Level.INFO, "lost (ENDED)");
      assertTrue(lines(Level.INFO).stream().anyMatch(l -> l.contains("client link") && l.contains("lost (ENDED)")),
          () -> lines(Level.INFO).toString());
      assertEquals(2, beforeShutdown, () -> "a line per call? " + lines(Level.ALL));

      RpcResponder<String> second = RpcResponder.builder(Codecs.string()).handle("echo", String.class, (s, c) -> s).build();
      second.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
      try {
        assertEquals("y", client.callBlocking("echo", "y", String.class, D));
        await(Level.INFO, "reconnected: client link");
        assertEquals(1, client.metrics().reconnects());
      } finally {
        second.shutdown(D);
      }
    } finally {
      first.shutdown(D);
    }
  }

  @Test
  void aHandshakeMismatchIsAWarningOnBothSides() throws Exception {
    Path dir = Rpc.dir("logging-mismatch");
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string())
        .config(RpcConfig.builder().service("orders").build()).handle("echo", String.class, (s, c) -> s).build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string())
        .config(RpcConfig.builder().service("quotes").build()).build()) {
      HandshakeException e = assertInstanceOf(HandshakeException.class,
          org.junit.jupiter.api.Assertions.assertThrows(RpcException.class, () -> client.awaitConnected(D)));
      assertEquals(HandshakeException.Field.SERVICE, e.field());
      await(Level.WARNING, "handshake failed, the client stops");
      await(Level.WARNING, "the connection is refused");
      assertTrue(lines(Level.WARNING).stream().allMatch(l -> !l.contains("service mismatch") || l.contains("quotes")
          && l.contains("orders")), () -> lines(Level.WARNING).toString());
    } finally {
      responder.shutdown(D);
    }
  }
}
