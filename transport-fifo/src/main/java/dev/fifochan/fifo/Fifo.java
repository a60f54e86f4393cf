package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.SourceOpener;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Entry point of the FIFO transport: create FIFOs and open their ends safely, as raw non-blocking
 * channels or as typed senders and receivers.
 *
 * <p>Opening never hangs forever and leaves nothing behind: both ends are opened with
 * {@code O_NONBLOCK} and wait in {@code ppoll} for the peer, at most
 * {@link ChannelConfig#openTimeout()} ({@link dev.fifochan.OpenTimeoutException}); an interrupt ends
 * the wait with {@link java.io.InterruptedIOException}. Paths are checked first
 * ({@link UnsafeFifoException}): no symbolic links, nothing but FIFOs, no FIFO of another user unless
 * {@link ChannelConfig#allowForeignOwner()}, no parent directory writable by group or others without
 * the sticky bit.
 */
public final class Fifo {
  /** The mode of FIFOs created without an explicit one: owner read and write only. */
  public static final int DEFAULT_MODE = 0600;

  private Fifo() {}

  /** {@link #create(Path, int)} with mode {@code 0600}. */
  public static Path create(Path path) throws IOException {
    return create(path, DEFAULT_MODE);
  }

  /**
   * Creates a FIFO with exactly {@code mode} (the umask does not apply). Fails with
   * {@link java.nio.file.FileAlreadyExistsException} if anything, even a FIFO, exists at the path:
   * to accept an existing FIFO, open it with {@link ChannelConfig#createIfMissing()} instead, which
   * creates it only if missing (and checks it either way).
   *
   * @throws UnsafeFifoException if the parent directory is writable by others without the sticky bit
   */
  public static Path create(Path path, int mode) throws IOException {
    if ((mode & ~0777) != 0) {
      throw new IllegalArgumentException("mode must be permission bits (0 to 0777): 0" + Integer.toOctalString(mode));
    }
    FifoFile.create(path, mode);
    return path;
  }

  /** {@link #openSender(Path, Codec, ChannelConfig)} with {@link ChannelConfig#defaults()}. */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec) throws IOException {
    return openSender(path, codec, ChannelConfig.defaults());
  }

  /**
   * Opens the FIFO's write end (waiting for a reader at most the open timeout) and returns a sender
   * over it; closing the sender closes the FIFO end.
   */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    FifoWriteChannel ch = openWriteChannel(path, config);
    boolean ok = false;
    try {
      Sender<T> sender = Sender.over(ch, codec, config);
      ok = true;
      return sender;
    } finally {
      if (!ok) {
        ch.close();
      }
    }
  }

  /** {@link #openReceiver(Path, Codec, ChannelConfig)} with {@link ChannelConfig#defaults()}. */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec) throws IOException {
    return openReceiver(path, codec, ChannelConfig.defaults());
  }

  /**
   * Returns a receiver of the FIFO. Without {@link ChannelConfig#follow()} it opens the read end now
   * (waiting for the first writer's first byte at most the open timeout) and the receiver ends with
   * that writer's stream. With follow, it reads one writer after another through
   * {@link #follow(Path, ChannelConfig)}: {@code receive()} waits for the next writer without limit,
   * {@code poll(timeout)} at most its timeout (the open timeout does not apply).
   */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    java.util.Objects.requireNonNull(codec, "codec");
    if (config.follow()) {
      return Receiver.following(follow(path, config), codec, config);
    }
    return Receiver.over(openReadChannel(path, config), codec, config);
  }

  /**
   * Opens the write end, waiting for a reader at most the open timeout. To let another thread
   * cancel the open by closing, use {@link FifoWriteChannel#unconnected} and
   * {@link FifoWriteChannel#connect()}.
   */
  public static FifoWriteChannel openWriteChannel(Path path, ChannelConfig config) throws IOException {
    FifoWriteChannel ch = FifoWriteChannel.unconnected(path, config);
    return connected(ch);
  }

  /**
   * Opens the read end, waiting at most the open timeout for the first writer's first byte. To let
   * another thread cancel the open by closing, use {@link FifoReadChannel#unconnected} and
   * {@link FifoReadChannel#connect()}.
   */
  public static FifoReadChannel openReadChannel(Path path, ChannelConfig config) throws IOException {
    FifoReadChannel ch = FifoReadChannel.unconnected(path, config);
    return connected(ch);
  }

  /**
   * A {@link SourceOpener} that opens the FIFO's read end afresh for each writer, without losing bytes
   * between writers (see {@link ChannelConfig#follow()}). It checks (and maybe creates) the FIFO now
   * and holds one read descriptor until closed, so writers can open the FIFO from now on.
   */
  public static SourceOpener follow(Path path, ChannelConfig config) throws IOException {
    return FollowOpener.create(path, config);
  }

  private static <C extends FifoEnd> C connected(C ch) throws IOException {
    boolean ok = false;
    try {
      ch.connect();
      ok = true;
      return ch;
    } finally {
      if (!ok) {
        ch.close();
      }
    }
  }
}
