package dev.fifochan.bench.jmh;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** In-memory byte channels for the in-process benchmarks (blocking semantics: never return 0). */
final class MemoryChannels {
  private MemoryChannels() {}

  /** Accepts and discards everything, like an infinitely fast reader. */
  static final class Discard implements WritableByteChannel {
    long bytes;

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      bytes += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /**
   * Serves {@code head} once, then {@code body} over and over (body must hold whole frames), in
   * reads of at most {@code maxRead} bytes, like a pipe that always has data.
   */
  static final class Loop implements ReadableByteChannel {
    private final ByteBuffer head;
    private final ByteBuffer body;
    private final int maxRead;

    Loop(byte[] head, byte[] body, int maxRead) {
      this.head = ByteBuffer.wrap(head);
      this.body = ByteBuffer.allocateDirect(body.length).put(body).flip();
      this.maxRead = maxRead;
    }

    @Override
    public int read(ByteBuffer dst) {
      ByteBuffer src = head.hasRemaining() ? head : body;
      if (!body.hasRemaining()) {
        body.rewind();
      }
      int n = Math.min(Math.min(dst.remaining(), src.remaining()), maxRead);
      int lim = src.limit();
      src.limit(src.position() + n);
      dst.put(src);
      src.limit(lim);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
