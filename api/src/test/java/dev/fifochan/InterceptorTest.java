package dev.fifochan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ChannelInterceptor} over real kernel pipes: a tracing-shaped interceptor injects a header on
 * send and makes a context current around the receiving handler; the wire format 1.0 rule; the
 * order and pairing rules; an interceptor that throws never touches the data.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterceptorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** What a tracing module does: a trace id in a header, "current" on the handler's thread while it runs. */
  static final class Tracing implements ChannelInterceptor {
    static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    private final AtomicLong ids = new AtomicLong();
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<ChannelInfo> channels = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
      channels.add(channel);
      events.add("before " + message + " on " + Thread.currentThread().getName());
      return channel.headersAllowed() ? Headers.of("traceparent", "00-trace" + ids.incrementAndGet() + "-01") : null;
    }

    @Override
    public void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {
      events.add("after " + message + " " + result + " " + (failure == null ? "ok" : failure.getClass().getSimpleName())
          + " on " + Thread.currentThread().getName());
    }

    @Override
    public void afterReceive(ChannelInfo channel, Object message, Headers headers) {
      channels.add(channel);
      events.add("received " + message + " " + headers.getString("traceparent"));
    }

    @Override
    public Scope openScope(ChannelInfo channel, Object message, Headers headers) {
      String previous = CURRENT.get();
      CURRENT.set(headers.getString("traceparent"));
      events.add("open " + message);
      return () -> {
        events.add("close " + message);
        CURRENT.set(previous);
      };
    }
  }

  private static ChannelConfig with(ChannelInterceptor... interceptors) {
    return ChannelConfig.builder().name("orders").flushDelay(Duration.ZERO).interceptors(interceptors).build();
  }

  @Test
  void aTraceHeaderTravelsAndIsCurrentWhileTheHandlerRuns() throws Exception {
    Tracing tracing = new Tracing();
    Pipe pipe = Pipe.open();
    String me = Thread.currentThread().getName();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(tracing));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), with(tracing))) {
      assertEquals(1, tx.send("a"));
      assertEquals(2, tx.send("b", Headers.of("content-type", "text/plain")));
      assertEquals(3, tx.offer("c"));
      List<String> seen = new ArrayList<>();
      int n = rx.poll((m, h) -> seen.add(m + " " + h.getString("traceparent") + " current=" + Tracing.CURRENT.get()
          + " " + h.getString("content-type")), 2, WAIT);
      assertEquals(2, n);
      assertEquals(List.of("a 00-trace1-01 current=00-trace1-01 null", "b 00-trace2-01 current=00-trace2-01 text/plain"), seen,
          "the caller's headers are kept beside the interceptor's, and the context is current in the handler");
      assertNull(Tracing.CURRENT.get(), "the scope was closed after the handler");
      Envelope<String> c = rx.receiveEnvelope(WAIT);
      assertEquals("00-trace3-01", c.headers().getString("traceparent"));
      assertEquals(List.of(
          "before a on " + me, "after a 1 ok on " + me,
          "before b on " + me, "after b 2 ok on " + me,
          "before c on " + me, "after c 3 ok on " + me,
          "received a 00-trace1-01", "open a", "close a",
          "received b 00-trace2-01", "open b", "close b",
          "received c 00-trace3-01"), tracing.events);
      ChannelInfo sending = tracing.channels.get(0);
      assertEquals(ChannelInfo.of("orders", ChannelInfo.Direction.SEND, "string", pipe.sink().toString(), WireVersion.V1_1), sending);
      assertSame(sending, tracing.channels.get(1), "a sender passes one instance");
      ChannelInfo receiving = tracing.channels.get(3);
      assertEquals(ChannelInfo.Direction.RECEIVE, receiving.direction());
      assertEquals("orders", receiving.name());
      assertEquals("string", receiving.codecName());
      assertEquals(pipe.source().toString(), receiving.transport());
      assertEquals(WireVersion.V1_1, receiving.wireVersion(), "the writer session's version");
    }
  }

  @Test
  void rawFramesAreSeenWithTheirHeadersAndTheHandlerRunsInTheScope() throws Exception {
    Tracing tracing = new Tracing();
    Pipe pipe = Pipe.open();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(tracing));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), with(tracing))) {
      tx.send("x");
      String[] current = new String[1];
      assertEquals(1, rx.pollFrames(f -> current[0] = Tracing.CURRENT.get(), 1, WAIT));
      assertEquals("00-trace1-01", current[0]);
      assertTrue(tracing.events.containsAll(List.of("received null 00-trace1-01", "open null", "close null")), tracing.events.toString());
    }
  }

  @Test
  void inWireFormatOneZeroTheInterceptorIsToldAndItsHeadersAreDroppedWithoutAnError() throws Exception {
    List<ChannelInfo> told = Collections.synchronizedList(new ArrayList<>());
    ChannelInterceptor stubborn = new ChannelInterceptor() {
      @Override
      public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
        told.add(channel);
        return Headers.of("traceparent", "00-abc-01"); // returned although 1.0 cannot carry it
      }

      @Override
      public void afterReceive(ChannelInfo channel, Object message, Headers headers) {
        told.add(channel);
      }
    };
    Pipe pipe = Pipe.open();
    ChannelConfig oneZero = with(stubborn).toBuilder().wireVersion(WireVersion.V1_0).build();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(stubborn));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), oneZero)) {
      assertEquals(1, tx.send("old reader"), "no IllegalStateException: the headers were dropped");
      Envelope<String> e = rx.receiveEnvelope(WAIT);
      assertEquals("old reader", e.value());
      assertTrue(e.headers().isEmpty(), "a 1.0 stream carries no header");
      assertThrows(IllegalStateException.class, () -> tx.send("x", Headers.of("k", "v")), "the caller's own headers still fail in 1.0");
    }
    assertEquals(WireVersion.V1_0, told.get(0).wireVersion());
    assertFalse(told.get(0).headersAllowed());
    assertEquals(WireVersion.V1_0, told.get(1).wireVersion(), "the receiver tells the writer session's version");
  }

  @Test
  void severalInterceptorsRunInOrderAndUnwindInReverse() throws Exception {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    ChannelInterceptor first = named("first", events, Headers.of("k", "1", "only-first", "x"));
    ChannelInterceptor second = named("second", events, Headers.of("k", "2"));
    Pipe pipe = Pipe.open();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(first, second));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), with(first, second))) {
      tx.send("m", Headers.of("k", "caller"));
      Headers[] got = new Headers[1];
      rx.poll((m, h) -> {
        got[0] = h.copy();
        events.add("handler");
      }, 1, WAIT);
      assertEquals("2", got[0].getString("k"), "a later interceptor's value replaces an earlier one's and the caller's");
      assertEquals("x", got[0].getString("only-first"));
      assertEquals(List.of("k", "only-first"), new ArrayList<>(got[0].keys()));
    }
    assertEquals(List.of("first before", "second before", "second after 1", "first after 1",
        "first received", "second received", "first open", "second open", "handler", "second close", "first close"), events);
  }

  private static ChannelInterceptor named(String name, List<String> events, Headers extra) {
    return new ChannelInterceptor() {
      @Override
      public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
        events.add(name + " before");
        return extra;
      }

      @Override
      public void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {
        events.add(name + " after " + result);
      }

      @Override
      public void afterReceive(ChannelInfo channel, Object message, Headers headers) {
        events.add(name + " received");
      }

      @Override
      public Scope openScope(ChannelInfo channel, Object message, Headers headers) {
        events.add(name + " open");
        return () -> events.add(name + " close");
      }
    };
  }

  @Test
  void afterSendTellsEveryOutcome() throws Exception {
    List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
    ChannelInterceptor watcher = new ChannelInterceptor() {
      @Override
      public void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {
        outcomes.add(message + ": " + result + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
      }
    };
    Codec<String> picky = new Codec<>() {
      @Override
      public String name() {
        return "string";
      }

      @Override
      public void encode(String value, PayloadSink sink) throws IOException {
        if (value.equals("bad")) {
          throw new IllegalArgumentException("cannot encode");
        }
        Codecs.string().encode(value, sink);
      }

      @Override
      public String decode(String tag, ByteBuffer payload) throws IOException {
        return Codecs.string().decode(tag, payload);
      }
    };
    Pipe pipe = Pipe.open();
    ChannelConfig config = with(watcher).toBuilder().bufferSize(4096).build();
    Sender<String> tx = Sender.over(pipe.sink(), picky, config);
    assertEquals(1, tx.send("ok"));
    assertThrows(EncodeException.class, () -> tx.send("bad"));
    String big = "x".repeat(1000);
    long r;
    while ((r = tx.offer(big)) > 0) {
      // fill the pipe: nobody reads
    }
    assertEquals(Sender.BACK_PRESSURED, r);
    assertThrows(SendTimeoutException.class, () -> tx.send(big, Duration.ofMillis(50)));
    tx.abort("done");
    assertEquals(Sender.CLOSED, tx.offer("late"));
    pipe.source().close();
    assertEquals("ok: 1", outcomes.get(0));
    assertEquals("bad: 0 EncodeException", outcomes.get(1));
    int n = outcomes.size();
    assertEquals(big + ": -1", outcomes.get(n - 3), "the offer that found no room");
    assertEquals(big + ": 0 SendTimeoutException", outcomes.get(n - 2));
    assertEquals("late: -3", outcomes.get(n - 1));
  }

  @Test
  void anInterceptorThatThrowsNeverTouchesTheData() throws Exception {
    ChannelInterceptor broken = new ChannelInterceptor() {
      @Override
      public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
        throw new IllegalStateException("broken before");
      }

      @Override
      public void afterSend(ChannelInfo channel, Object message, long result, Throwable failure) {
        throw new IllegalStateException("broken after");
      }

      @Override
      public void afterReceive(ChannelInfo channel, Object message, Headers headers) {
        throw new IllegalStateException("broken receive");
      }

      @Override
      public Scope openScope(ChannelInfo channel, Object message, Headers headers) {
        return () -> {
          throw new IllegalStateException("broken close");
        };
      }
    };
    ChannelInterceptor reserved = new ChannelInterceptor() {
      @Override
      public Headers beforeSend(ChannelInfo channel, Object message, Headers headers) {
        return Headers.of("fc-id", "42"); // fifochan's own key: refused, logged, ignored
      }
    };
    Pipe pipe = Pipe.open();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(broken));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), with(broken, reserved))) {
      assertEquals(1, tx.send("a"));
      assertEquals(2, tx.send("b"));
      assertEquals("a", rx.receive(WAIT));
      List<String> got = new ArrayList<>();
      assertEquals(1, rx.poll((m, h) -> {
        got.add(m);
        assertFalse(h.containsKey("fc-id"));
      }, 1, WAIT));
      assertEquals(List.of("b"), got);
      assertEquals(2, rx.stats().messagesReceived());
    }
  }

  @Test
  void aHandlerFailureStillClosesTheScope() throws Exception {
    Tracing tracing = new Tracing();
    Pipe pipe = Pipe.open();
    try (Receiver<String> rx = Receiver.over(pipe.source(), Codecs.string(), with(tracing));
        Sender<String> tx = Sender.over(pipe.sink(), Codecs.string(), with(tracing))) {
      tx.send("boom");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> rx.poll((m, h) -> {
        throw new IllegalStateException("handler failed in " + Tracing.CURRENT.get());
      }, 1, WAIT));
      assertEquals("handler failed in 00-trace1-01", e.getMessage());
      assertNull(Tracing.CURRENT.get());
      assertTrue(tracing.events.contains("close boom"));
    }
  }

  @Test
  void theConfigurationCarriesThem() {
    Tracing t = new Tracing();
    ChannelConfig c = ChannelConfig.builder().interceptors(t).build();
    assertEquals(List.of(t), c.interceptors());
    assertEquals(List.of(t), c.toBuilder().build().interceptors());
    assertTrue(c.toBuilder().interceptors().build().interceptors().isEmpty());
    assertTrue(ChannelConfig.defaults().interceptors().isEmpty());
    assertThrows(NullPointerException.class, () -> ChannelConfig.builder().interceptors(t, null));
    assertThrows(UnsupportedOperationException.class, () -> c.interceptors().add(t));
    assertInstanceOf(IllegalArgumentException.class,
        assertThrows(IllegalArgumentException.class, () -> ChannelInfo.of("n", ChannelInfo.Direction.SEND, "c", "t", null)));
  }
}
