package dev.fifochan;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** In-memory channels for framing tests (blocking channels: they never return 0). */
public final class TestChannels {
  private TestChannels() {}

  /** Reads {@code data} at most {@code chunk} bytes per read, then end of file. */
  public static ReadableByteChannel chunked(byte[] data, int chunk) {
    return new ReadableByteChannel() {
      int pos;
      boolean open = true;

      @Override
      public int read(ByteBuffer dst) {
        if (pos >= data.length) {
          return -1;
        }
        int n = Math.min(chunk, Math.min(dst.remaining(), data.length - pos));
        dst.put(data, pos, n);
        pos += n;
        return n;
      }

      @Override
      public boolean isOpen() {
        return open;
      }

      @Override
      public void close() {
        open = false;
      }
    };
  }

  /** Collects written bytes; takes at most {@code chunk} bytes per write. */
  public static class Sink implements WritableByteChannel {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final int chunk;
    int writes;
    volatile boolean open = true;

    public Sink(int chunk) {
      this.chunk = chunk;
    }

    @Override
    public synchronized int write(ByteBuffer src) {
      int n = Math.min(chunk, src.remaining());
      byte[] copy = new byte[n];
      src.get(copy);
      bytes.write(copy, 0, n);
      writes++;
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }

    public synchronized byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }

  /** The repository root: from FIFOCHAN_REPO_ROOT, or the first parent of the working directory with testdata/. */
  public static Path repoRoot() {
    String env = System.getenv("FIFOCHAN_REPO_ROOT");
    if (env != null && Files.isDirectory(Path.of(env, "testdata"))) {
      return Path.of(env);
    }
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !Files.isDirectory(here.resolve("testdata"))) {
      here = here.getParent();
    }
    if (here == null) {
      throw new IllegalStateException("cannot find the repository root (no testdata/ above " + Path.of("").toAbsolutePath() + ")");
    }
    return here;
  }
}
