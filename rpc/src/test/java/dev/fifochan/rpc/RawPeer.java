package dev.fifochan.rpc;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Headers;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.spi.Duplex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One side of the protocol written by hand from docs/rpc.md with the plain core API (a {@code string}
 * {@link Sender} and a {@link Receiver} read with {@code pollFrames}): what another language would do.
 * Control frames are empty strings with headers.
 */
final class RawPeer implements AutoCloseable {
  final Duplex duplex;
  final Sender<String> tx;
  final Receiver<String> rx;

  /** One received frame, copied. */
  static final class Frame {
    final Headers headers;
    final String tag;
    final String payload;

    Frame(Headers headers, String tag, String payload) {
      this.headers = headers;
      this.tag = tag;
      this.payload = payload;
    }

    String get(String key) {
      return headers.getString(key);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("{");
      headers.forEach((k, v) -> b.append(k).append('=').append(new String(v, StandardCharsets.UTF_8)).append(' '));
      return b.append("tag=").append(tag).append(" payload=").append(payload).append('}').toString();
    }
  }

  RawPeer(Duplex duplex) throws IOException {
    this.duplex = duplex;
    ChannelConfig config = ChannelConfig.builder().heartbeatInterval(Duration.ofMillis(500)).build();
    this.tx = Sender.over(duplex.sink(), Codecs.string(), config);
    this.rx = Receiver.over(duplex.source(), Codecs.string(), config);
  }

  /** Sends a frame with {@code payload} ("" for a control frame) and headers from alternating keys and values. */
  void send(String payload, String... headers) throws IOException {
    tx.send(payload, Headers.of(headers));
    tx.flush();
  }

  void hello(String version, String role) throws IOException {
    send("", "fc-kind", "hello", "fc-version", version, "fc-role", role, "fc-service", "default", "fc-codec", "string",
        "fc-heartbeat", "500000000");
  }

  /** The next frame, waiting at most 10 s; null at the end of the stream. */
  Frame next() throws IOException {
    Frame[] got = new Frame[1];
    int n = rx.pollFrames(f -> {
      byte[] b = new byte[f.payload().remaining()];
      f.payload().get(b);
      got[0] = new Frame(f.headers().copy(), f.tag(), new String(b, StandardCharsets.UTF_8));
    }, 1, Duration.ofSeconds(10));
    if (n < 0) {
      return null;
    }
    if (n == 0) {
      throw new AssertionError("no frame within 10 s");
    }
    return got[0];
  }

  @Override
  public void close() {
    duplex.close();
  }
}
