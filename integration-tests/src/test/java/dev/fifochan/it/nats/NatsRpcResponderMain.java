package dev.fifochan.it.nats;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.nats.Nats;
import dev.fifochan.nats.NatsConnectOptions;
import dev.fifochan.rpc.ConnectionListener;
import dev.fifochan.rpc.RpcConfig;
import dev.fifochan.rpc.RpcException;
import dev.fifochan.rpc.RpcPeer;
import dev.fifochan.rpc.RpcResponder;
import dev.fifochan.rpc.RpcStatus;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Java responder of the request/response tests over NATS, in a child JVM (so that it can be
 * SIGKILLed): {@code NatsRpcResponderMain URL SUBJECT SERVICE HEARTBEAT_MS LIVENESS_MS}. The operations and
 * the output lines are those of {@code fifochan-nats-peer rpc-serve}: echo, upper, fail (NOT_FOUND), slow
 * (sleeps the request's ms), remaining (the deadline's time left in ms, or "none"), hang (until cancelled:
 * "HANG text", then "CANCELLED code"); READY, CONNECTED, DISCONNECTED.
 */
public final class NatsRpcResponderMain {
  private NatsRpcResponderMain() {}

  public static void main(String[] args) throws Exception {
    Connection nc = NatsConnectOptions.server(args[0]).connect();
    RpcConfig config = RpcConfig.builder().service(args[2]).heartbeatInterval(Duration.ofMillis(Long.parseLong(args[3])))
        .livenessTimeout(Duration.ofMillis(Long.parseLong(args[4]))).build();
    RpcResponder<String> r = RpcResponder.builder(Codecs.string()).config(config)
        .listener(new ConnectionListener() {
          @Override
          public void connected(RpcPeer peer) {
            say("CONNECTED");
          }

          @Override
          public void disconnected(RpcPeer peer, Throwable cause) {
            say("DISCONNECTED " + cause);
          }
        })
        .handle("echo", String.class, (s, call) -> s)
        .handle("upper", String.class, (s, call) -> s.toUpperCase(Locale.ROOT))
        .handle("fail", String.class, (s, call) -> {
          throw new RpcException(RpcStatus.NOT_FOUND, "no " + s);
        })
        .handle("slow", String.class, (s, call) -> {
          CountDownLatch cancelled = new CountDownLatch(1);
          call.onCancel(cancelled::countDown);
          if (cancelled.await(Long.parseLong(s), TimeUnit.MILLISECONDS)) {
            say("CANCELLED " + call.cancelStatus().code());
            return "cancelled";
          }
          return "slept " + s;
        })
        .handle("remaining", String.class,
            (s, call) -> call.deadline().isNone() ? "none" : Long.toString(call.deadline().remainingNanos() / 1_000_000))
        .handle("hang", String.class, (s, call) -> {
          CountDownLatch cancelled = new CountDownLatch(1);
          call.onCancel(cancelled::countDown);
          say("HANG " + s);
          cancelled.await();
          say("CANCELLED " + call.cancelStatus().code());
          return "cancelled";
        })
        .build();
    r.serve(Nats.acceptor(nc, args[1], ChannelConfig.defaults()));
    say("READY");
    Thread.sleep(Long.MAX_VALUE);
  }

  private static synchronized void say(String line) {
    System.out.println(line.replace('\n', ' '));
    System.out.flush();
  }
}
