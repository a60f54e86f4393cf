package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Deadline;
import dev.fifochan.spi.Acceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Java client against a responder written by hand from docs/rpc.md, over a real FIFO pair: the
 * frames the client writes (hello, call, cancel) and what it does with every frame a responder may
 * send, including the misbehaving ones: a second reply, a reply for an unknown id, a reply after the
 * deadline (dropped and counted, never delivered to another call), unknown kinds (ignored), an item
 * for a unary call, a connection error "going away".
 */
class ProtocolConformanceTest {
  private static final Duration D = Duration.ofSeconds(10);

  @Test
  void theClientSpeaksTheProtocolAndDropsEveryFrameThatIsNotForAWaitingCall() throws Exception {
    Path dir = Rpc.dir("conformance");
    Acceptor acceptor = Rpc.pair(dir, "").acceptor(ChannelConfig.defaults());
    CompletableFuture<RawPeer> accepted = CompletableFuture.supplyAsync(() -> {
      try {
        return new RawPeer(acceptor.accept(Deadline.after(D)));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try (RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).build();
        RawPeer raw = accepted.get(20, TimeUnit.SECONDS)) {
      RawPeer.Frame hello = raw.next();
      assertEquals("hello", hello.get("fc-kind"));
      assertEquals("1", hello.get("fc-version"));
      assertEquals("client", hello.get("fc-role"));
      assertEquals("default", hello.get("fc-service"));
      assertEquals("string", hello.get("fc-codec"));
      assertEquals("1000000000", hello.get("fc-heartbeat"));
      assertEquals("", hello.payload);
      raw.hello("1", "responder");
      assertTrue(client.awaitConnected(D));

      // a call: kind, id, operation, time remaining; the request as payload
      CompletableFuture<String> a = client.call("echo", "a", String.class, Duration.ofSeconds(5));
      RawPeer.Frame call = raw.next();
      assertEquals("call", call.get("fc-kind"));
      String idA = call.get("fc-id");
      assertTrue(idA.matches("[1-9][0-9]*"), idA);
      assertEquals("echo", call.get("fc-op"));
      long timeout = Long.parseLong(call.get("fc-timeout"));
      assertTrue(timeout > 4_000_000_000L && timeout <= 5_000_000_000L, "fc-timeout " + timeout);
      assertNull(call.get("fc-stream"));
      assertEquals("a", call.payload);
      raw.send("A1", "fc-kind", "reply", "fc-id", idA);
      raw.send("A2", "fc-kind", "reply", "fc-id", idA); // a second reply: late
      raw.send("stray", "fc-kind", "reply", "fc-id", "999999"); // nobody's: late
      assertEquals("A1", a.get(10, TimeUnit.SECONDS));

      // a deadline: the client fails the call itself and sends a cancel with status 4
      CompletableFuture<String> b = client.call("hang", "b", String.class, Duration.ofMillis(300));
      String idB = raw.next().get("fc-id");
      RpcException timedOut = assertInstanceOf(RpcException.class, Rpc.failure(b));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, timedOut.status());
      RawPeer.Frame cancel = raw.next();
      assertEquals("cancel", cancel.get("fc-kind"));
      assertEquals(idB, cancel.get("fc-id"));
      assertEquals("4", cancel.get("fc-status"));
      raw.send("too late", "fc-kind", "reply", "fc-id", idB); // late

      // an error reply
      CompletableFuture<String> c = client.call("echo", "c", String.class, D);
      String idC = raw.next().get("fc-id");
      raw.send("", "fc-kind", "error", "fc-id", idC, "fc-status", "3", "fc-message", "bad c");
      RpcException bad = assertInstanceOf(RpcException.class, Rpc.failure(c));
      assertEquals(RpcStatus.INVALID_ARGUMENT, bad.status());
      assertEquals("bad c", bad.statusMessage());
      assertTrue(bad.isRemote());

      // unknown kinds and frames without a kind are ignored; a status this version does not know is kept
      CompletableFuture<String> d = client.call("echo", "d", String.class, D);
      String idD = raw.next().get("fc-id");
      raw.send("?", "fc-kind", "future-kind", "fc-id", idD);
      raw.send("plain message, no headers");
      raw.send("", "fc-kind", "error", "fc-id", idD, "fc-status", "77", "fc-message", "new code");
      RpcException unknownCode = assertInstanceOf(RpcException.class, Rpc.failure(d));
      assertEquals(RpcStatus.UNKNOWN, unknownCode.status());
      assertEquals(77, unknownCode.code());

      // an item for a unary call is a protocol violation that fails that call only
      CompletableFuture<String> e = client.call("echo", "e", String.class, D);
      String idE = raw.next().get("fc-id");
      raw.send("x", "fc-kind", "item", "fc-id", idE);
      assertEquals(RpcStatus.INTERNAL, assertInstanceOf(RpcException.class, Rpc.failure(e)).status());

      // a streaming call: fc-stream 1; items then done
      RpcStream<String> s = client.callStream("count", "2", String.class, D);
      RawPeer.Frame streamCall = raw.next();
      assertEquals("1", streamCall.get("fc-stream"));
      String idS = streamCall.get("fc-id");
      raw.send("i0", "fc-kind", "item", "fc-id", idS);
      raw.send("i1", "fc-kind", "item", "fc-id", idS);
      raw.send("", "fc-kind", "done", "fc-id", idS);
      assertEquals("i0", s.receive());
      assertEquals("i1", s.receive());
      assertNull(s.receive());

      // a call that names no operation: no fc-op, the operation is the (empty) tag
      CompletableFuture<String> f = client.call("no op", String.class, D);
      RawPeer.Frame noOp = raw.next();
      assertNull(noOp.get("fc-op"));
      assertEquals("", noOp.tag);
      raw.send("ok", "fc-kind", "reply", "fc-id", noOp.get("fc-id"));
      assertEquals("ok", f.get(10, TimeUnit.SECONDS));

      // a notification from the client
      client.notify("ping", "n", D);
      RawPeer.Frame note = raw.next();
      assertEquals("notify", note.get("fc-kind"));
      assertEquals("ping", note.get("fc-op"));
      assertNull(note.get("fc-id"));

      RpcMetrics m = client.metrics();
      assertEquals(3, m.lateFramesDropped(), m.toString());
      assertEquals(2, m.framesIgnored(), m.toString());
      assertEquals(1, m.cancelsSent());
      assertEquals(1, m.connections());

      // going away: the client sends no new call on this connection; a new call waits for the next one
      raw.send("", "fc-kind", "error", "fc-status", "14", "fc-message", "shutting down");
      Thread.sleep(100);
      RpcException waited = assertInstanceOf(RpcException.class,
          Rpc.failure(client.call("echo", "g", String.class, Duration.ofMillis(300))));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, waited.status());
      assertFalse(waited.isRemote());
      raw.tx.close(); // the clean end
      assertNull(raw.next(), "nothing more came from the client: " + m);
    } finally {
      acceptor.close();
    }
  }
}
