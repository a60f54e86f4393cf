package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.ChannelConfig;
import dev.fifochan.ChannelInterceptor;
import dev.fifochan.Codecs;
import dev.fifochan.Headers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RpcInterceptor} over a real FIFO pair: the client's headers reach the handler, the handler runs
 * inside the server call's scope, every call ends exactly once with its status on both sides (refused
 * calls included), {@code fc-} keys cannot be overridden, and a throwing interceptor changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcInterceptorTest {
  private static final Duration D = Duration.ofSeconds(10);
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  /** Records what it sees; sends {@code x-call} (and tries to override {@code fc-op}). */
  static final class Recording implements RpcInterceptor {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public ClientCall clientCall(CallInfo call) {
      events.add("client start " + call.operation() + " " + call.callId() + (call.streaming() ? " stream" : ""));
      return new ClientCall() {
        @Override
        public Headers headers() {
          return Headers.of("x-call", "c" + call.callId(), "fc-op", "hijacked");
        }

        @Override
        public void end(RpcException failure) {
          events.add("client end " + call.operation() + " " + (failure == null ? "OK" : failure.status()));
        }
      };
    }

    @Override
    public ServerCall serverCall(CallInfo call, Headers headers) {
      events.add("server start " + call.service() + "/" + call.operation() + " x-call=" + headers.getString("x-call"));
      return new ServerCall() {
        @Override
        public ChannelInterceptor.Scope enter() {
          CURRENT.set("in " + call.operation());
          return () -> CURRENT.remove();
        }

        @Override
        public void end(int statusCode, Throwable failure) {
          events.add("server end " + call.operation() + " " + RpcStatus.ofCode(statusCode)
              + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
        }
      };
    }
  }

  @Test
  void callsAreObservedOnBothSidesWithHeadersScopesAndStatuses() throws Exception {
    Path dir = Rpc.dir("intercept");
    Recording client = new Recording();
    Recording server = new Recording();
    List<String> seenByHandlers = new CopyOnWriteArrayList<>();
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).interceptor(server)
        .handle("echo", String.class, (s, call) -> {
          seenByHandlers.add(CURRENT.get() + " x-call=" + call.headers().getString("x-call") + " op=" + call.operation());
          return s;
        })
        .handle("fail", String.class, (s, call) -> {
          throw new RpcException(RpcStatus.NOT_FOUND, "no " + s);
        })
        .handleStream("count", String.class, (s, call, items) -> {
          for (int i = 0; i < 3; i++) {
            items.send(CURRENT.get() + " " + i);
          }
        })
        .build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> c = Rpc.client(dir, "", Codecs.string()).interceptor(client).build()) {
      assertEquals("a", c.callBlocking("echo", "a", String.class, D));
      assertEquals("client start echo 1", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("client end echo OK", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server start default/echo x-call=c1", server.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server end echo OK", server.events.poll(5, TimeUnit.SECONDS));
      assertEquals(List.of("in echo x-call=c1 op=echo"), seenByHandlers);

      RpcException notFound = assertThrows(RpcException.class, () -> c.callBlocking("fail", "b", String.class, D));
      assertEquals(RpcStatus.NOT_FOUND, notFound.status());
      assertEquals("client start fail 2", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("client end fail NOT_FOUND", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server start default/fail x-call=c2", server.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server end fail NOT_FOUND RpcException", server.events.poll(5, TimeUnit.SECONDS));

      RpcException unimplemented = assertThrows(RpcException.class,
          () -> c.callBlocking("nothing", "c", String.class, D));
      assertEquals(RpcStatus.UNIMPLEMENTED, unimplemented.status());
      assertEquals("client start nothing 3", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("client end nothing UNIMPLEMENTED", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server start default/nothing x-call=c3", server.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server end nothing UNIMPLEMENTED", server.events.poll(5, TimeUnit.SECONDS));

      try (RpcStream<String> items = c.callStream("count", "d", String.class, D)) {
        for (int i = 0; i < 3; i++) {
          assertEquals("in count " + i, items.receive());
        }
        assertNull(items.receive());
      }
      assertEquals("client start count 4 stream", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("client end count OK", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server start default/count x-call=c4", server.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server end count OK", server.events.poll(5, TimeUnit.SECONDS));
      assertNull(CURRENT.get());
    } finally {
      assertTrue(responder.shutdown(D));
    }
    assertTrue(client.events.isEmpty(), client.events.toString());
    assertTrue(server.events.isEmpty(), server.events.toString());
  }

  @Test
  void aCallCancelledAtItsDeadlineEndsOnceOnEachSide() throws Exception {
    Path dir = Rpc.dir("intercept-deadline");
    Recording client = new Recording();
    Recording server = new Recording();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).interceptor(server)
        .handle("hang", String.class, (s, call) -> {
          release.await(20, TimeUnit.SECONDS);
          return s;
        })
        .build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> c = Rpc.client(dir, "", Codecs.string()).interceptor(client).build()) {
      assertTrue(c.awaitConnected(D));
      RpcException late = assertThrows(RpcException.class,
          () -> c.callBlocking("hang", "x", String.class, Duration.ofMillis(200)));
      assertEquals(RpcStatus.DEADLINE_EXCEEDED, late.status());
      assertEquals("client start hang 1", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("client end hang DEADLINE_EXCEEDED", client.events.poll(5, TimeUnit.SECONDS));
      assertEquals("server start default/hang x-call=c1", server.events.poll(5, TimeUnit.SECONDS));
      String end = server.events.poll(5, TimeUnit.SECONDS); // the responder's own deadline, or the client's cancel
      assertTrue(end.equals("server end hang DEADLINE_EXCEEDED") || end.equals("server end hang CANCELLED"), end);
      release.countDown();
      Thread.sleep(200); // the handler returns: its reply is not sent, and the call does not end again
      assertTrue(server.events.isEmpty(), server.events.toString());
    } finally {
      responder.shutdown(D);
    }
  }

  @Test
  void aThrowingInterceptorChangesNothing() throws Exception {
    Path dir = Rpc.dir("intercept-throws");
    RpcInterceptor broken = new RpcInterceptor() {
      @Override
      public ClientCall clientCall(CallInfo call) {
        return new ClientCall() {
          @Override
          public Headers headers() {
            throw new IllegalStateException("headers");
          }

          @Override
          public void end(RpcException failure) {
            throw new IllegalStateException("end");
          }
        };
      }

      @Override
      public ServerCall serverCall(CallInfo call, Headers headers) {
        return new ServerCall() {
          @Override
          public ChannelInterceptor.Scope enter() {
            return () -> {
              throw new IllegalStateException("close");
            };
          }

          @Override
          public void end(int statusCode, Throwable failure) {
            throw new IllegalStateException("end");
          }
        };
      }
    };
    RpcResponder<String> responder = RpcResponder.builder(Codecs.string()).interceptor(broken)
        .handle("echo", String.class, (s, call) -> s).build();
    responder.serve(Rpc.pair(dir, "").acceptor(ChannelConfig.defaults()));
    try (RpcClient<String> c = Rpc.client(dir, "", Codecs.string()).interceptor(broken).build()) {
      for (int i = 0; i < 5; i++) {
        assertEquals("v" + i, c.callBlocking("echo", "v" + i, String.class, D));
      }
      assertEquals(5, c.metrics().callsSucceeded());
    } finally {
      assertTrue(responder.shutdown(D));
    }
  }
}
