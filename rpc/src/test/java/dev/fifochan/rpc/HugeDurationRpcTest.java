package dev.fifochan.rpc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fifochan.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A "practically never" {@code connectAttempt} ({@code Duration.ofSeconds(Long.MAX_VALUE)}) is taken as
 * about 73 years, and {@code close()} still closes. Found by a new-user pass: {@code close()} computed
 * {@code connectAttempt().toMillis() + 1000} and threw {@link ArithmeticException}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HugeDurationRpcTest {
  @Test
  void closeOfAClientWithAHugeConnectAttemptDoesNotThrow() throws Exception {
    RpcConfig config;
    try {
      config = RpcConfig.builder().connectAttempt(Duration.ofSeconds(Long.MAX_VALUE)).build();
    } catch (IllegalArgumentException refused) {
      return;
    }
    Path dir = Rpc.dir("huge");
    RpcClient<String> client = Rpc.client(dir, "", Codecs.string()).config(config).build();
    Thread.sleep(500); // its connection thread waits for a responder
    assertDoesNotThrow(client::close);
    assertFalse(client.isOpen());
  }
}
