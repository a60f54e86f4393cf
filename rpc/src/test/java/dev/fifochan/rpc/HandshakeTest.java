package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.spi.Acceptor;
import dev.fifochan.spi.Duplex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Handshake mismatches fail both sides at once, each naming both values: service, codec and heartbeat
 * between a Java client and a Java responder in a child JVM; version and role against a hand-written
 * peer (no Java side can announce another version), in both directions.
 */
class HandshakeTest {
  private static final Duration D = Duration.ofSeconds(20);

  private static HandshakeException clientFailure(RpcClient<?> client) {
    HandshakeException e = assertThrows(HandshakeException.class, () -> client.awaitConnected(D));
    assertEquals(RpcStatus.FAILED_PRECONDITION, e.status());
    assertFalse(client.isOpen());
    assertSame(e, client.failure());
    return e;
  }

  @Test
  void serviceNames() throws Exception {
    Path dir = Rpc.dir("service");
    try (Child child = Child.start(dir.toString(), "service=alpha");
        RpcClient<String> client = Rpc.client(dir, "", Codecs.string())
            .config(RpcConfig.builder().service("beta").build()).build()) {
      HandshakeException e = clientFailure(client);
      assertEquals(HandshakeException.Field.SERVICE, e.field());
      assertEquals("beta", e.localValue());
      assertEquals("alpha", e.remoteValue());
      assertTrue(e.getMessage().contains("'beta'") && e.getMessage().contains("'alpha'"), e.getMessage());
      child.await("HANDSHAKE-FAILED SERVICE local=alpha remote=beta", D);
      RpcException call = assertInstanceOf(RpcException.class,
          Rpc.failure(client.call("echo", "x", String.class, D)));
      assertSame(e, call, "every call fails with the handshake failure");
    }
  }

  @Test
  void codecNames() throws Exception {
    Path dir = Rpc.dir("codec");
    try (Child child = Child.start(dir.toString());
        RpcClient<Object> client = Rpc.client(dir, "", new NamedStringCodec("json")).build()) {
      HandshakeException e = clientFailure(client);
      assertEquals(HandshakeException.Field.CODEC, e.field());
      assertEquals("json", e.localValue());
      assertEquals("string", e.remoteValue());
      child.await("HANDSHAKE-FAILED CODEC local=string remote=json", D);
    }
  }

  @Test
  void aPeerWithoutHeartbeatsFailsASideThatWatchesLivenessAndThatSideTellsIt() throws Exception {
    Path dir = Rpc.dir("heartbeat");
    try (Child child = Child.start(dir.toString(), "heartbeat=0");
        RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      HandshakeException e = clientFailure(client);
      assertEquals(HandshakeException.Field.HEARTBEAT, e.field());
      assertEquals("5000000000", e.localValue());
      assertEquals("0", e.remoteValue());
      assertFalse(e.detectedByPeer());
      // the responder accepts the client's heartbeats; it learns of the failure from the client's error frame
      child.await("HANDSHAKE-FAILED HEARTBEAT local=0 remote=null byPeer=true", D);
    }
  }

  @Test
  void aClientOfAnotherVersionIsRefusedWithAnErrorFrameNamingBothValues() throws Exception {
    Path dir = Rpc.dir("version-client");
    try (Child child = Child.start(dir.toString());
        RawPeer raw = new RawPeer(Rpc.pair(dir, "").connector(ChannelConfig.defaults()).connect(Deadline.after(D)))) {
      raw.hello("2", "client");
      RawPeer.Frame hello = raw.next();
      assertEquals("hello", hello.get("fc-kind"));
      assertEquals("1", hello.get("fc-version"));
      assertEquals("responder", hello.get("fc-role"));
      RawPeer.Frame error = raw.next();
      assertEquals("error", error.get("fc-kind"), error.toString());
      assertNull(error.get("fc-id"));
      assertEquals("9", error.get("fc-status"));
      assertEquals("version", error.get("fc-field"));
      assertTrue(error.get("fc-message").contains("'1'") && error.get("fc-message").contains("'2'"), error.toString());
      StreamAbortedException end = assertThrows(StreamAbortedException.class, raw::next);
      assertTrue(end.reason().contains("version mismatch"), end.reason());
      child.await("HANDSHAKE-FAILED VERSION local=1 remote=2 byPeer=false", D);
    }
  }

  @Test
  void aResponderOfAnotherVersionOrRoleFailsTheClientWhichTellsIt() throws Exception {
    refusedResponder("2", "responder", HandshakeException.Field.VERSION, "1", "2");
    refusedResponder("1", "client", HandshakeException.Field.ROLE, "client", "client");
  }

  /**
   * docs/rpc.md §4 item 2: a first frame that is a connection error (an error without a valid fc-id: here a
   * malformed one) is a mismatch detected by the peer, not a first frame that is no hello; the client stops
   * without answering. Go: TestFirstFrameConnectionErrorIsAMismatchDetectedByThePeer.
   */
  @Test
  void aFirstFrameThatIsAConnectionErrorIsAMismatchDetectedByThePeer() throws Exception {
    Path dir = Rpc.dir("first-error");
    Acceptor acceptor = Rpc.pair(dir, "").acceptor(ChannelConfig.defaults());
    CompletableFuture<java.util.List<RawPeer.Frame>> seen = CompletableFuture.supplyAsync(() -> {
      try {
        Duplex d = acceptor.accept(Deadline.after(D));
        try (RawPeer raw = new RawPeer(d)) {
          raw.send("", "fc-kind", "error", "fc-id", "x", "fc-status", "9", "fc-field", "service", "fc-message",
              "service mismatch: this side has 'other', the peer has 'default'");
          java.util.List<RawPeer.Frame> frames = new java.util.ArrayList<>();
          try {
            for (RawPeer.Frame f = raw.next(); f != null; f = raw.next()) {
              frames.add(f);
            }
          } catch (java.io.IOException endedWithoutEnd) {
            // the client closed: truncated or aborted; what it wrote before is in frames
          }
          return frames;
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      HandshakeException e = clientFailure(client);
      assertEquals(HandshakeException.Field.SERVICE, e.field());
      assertTrue(e.detectedByPeer(), e.getMessage());
      assertEquals("default", e.localValue());
      assertNull(e.remoteValue(), "no hello came");
      java.util.List<RawPeer.Frame> frames = seen.get(20, TimeUnit.SECONDS);
      assertEquals(1, frames.size(), "the client's hello and nothing else (no error frame of its own): " + frames);
      assertEquals("hello", frames.get(0).get("fc-kind"));
    } finally {
      acceptor.close();
    }
  }

  private static void refusedResponder(String version, String role, HandshakeException.Field field, String local,
      String remote) throws Exception {
    Path dir = Rpc.dir("version-responder");
    Acceptor acceptor = Rpc.pair(dir, "").acceptor(ChannelConfig.defaults());
    CompletableFuture<RawPeer.Frame[]> seen = CompletableFuture.supplyAsync(() -> {
      try {
        Duplex d = acceptor.accept(Deadline.after(D));
        try (RawPeer raw = new RawPeer(d)) {
          raw.hello(version, role);
          RawPeer.Frame[] frames = new RawPeer.Frame[2];
          frames[0] = raw.next();
          frames[1] = raw.next();
          return frames;
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build()) {
      HandshakeException e = clientFailure(client);
      assertEquals(field, e.field());
      assertEquals(local, e.localValue());
      assertEquals(remote, e.remoteValue());
      RawPeer.Frame[] frames = seen.get(20, TimeUnit.SECONDS);
      assertEquals("hello", frames[0].get("fc-kind"));
      assertEquals("client", frames[0].get("fc-role"));
      assertEquals("error", frames[1].get("fc-kind"));
      assertEquals("9", frames[1].get("fc-status"));
      assertEquals(field.name().toLowerCase(java.util.Locale.ROOT), frames[1].get("fc-field"));
    } finally {
      acceptor.close();
    }
  }
}
