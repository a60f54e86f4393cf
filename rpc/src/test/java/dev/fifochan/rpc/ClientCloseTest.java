package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fifochan.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing a client while its connection thread waits in a connect attempt (no responder is there). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCloseTest {

  @Test
  void closeDoesNotWaitForAConnectAttempt() throws Exception {
    Path dir = Rpc.dir("close");
    RpcClient<String> client = Rpc.client(dir, "", Codecs.string())
        .config(RpcConfig.builder().connectAttempt(Duration.ofSeconds(30)).build())
        .build();
    Thread connecting = awaitConnecting();
    long t0 = System.nanoTime();
    client.close();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5_000, "close took " + ms + " ms of a 30 s connect attempt");
    assertFalse(client.isOpen());
    connecting.join(5_000);
    assertFalse(connecting.isAlive(), "the connection thread ended");
  }

  /** Waits until a client connection thread is inside a FIFO connect; returns it. */
  private static Thread awaitConnecting() throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("fifochan-rpc-client")
            && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("connectFd"))) {
          return t;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no client thread in a connect attempt");
  }
}
