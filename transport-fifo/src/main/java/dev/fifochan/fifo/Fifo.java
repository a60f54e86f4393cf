package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.SourceOpener;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.NativeLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Entry point of the FIFO transport: create FIFOs and open their ends safely, as raw non-blocking
 * channels or as typed senders and receivers.
 *
 * <p><b>Opening never hangs forever and leaves nothing behind</b>: both ends are opened with
 * {@code O_NONBLOCK} and wait in {@code ppoll} for the peer, at most
 * {@link FifoOptions#openTimeout()} ({@link dev.fifochan.OpenTimeoutException}); an interrupt ends
 * the wait with {@link java.io.InterruptedIOException}, and so does closing a channel from another
 * thread ({@link java.nio.channels.AsynchronousCloseException}). Every wait for a peer checks at
 * least every 250 ms that the path still names the FIFO: removed, it fails with
 * {@link FifoRemovedException}; created anew, the new FIFO is opened.
 *
 * <p><b>Paths are checked first</b> ({@link UnsafeFifoException}): no symbolic links, nothing but
 * FIFOs, no FIFO of another user unless {@link FifoOptions#allowForeignOwner()}, no parent directory
 * writable by group or others without the sticky bit, and the descriptor opened is the very FIFO
 * that was checked.
 *
 * <p><b>One reader per FIFO</b>: a reader takes an exclusive {@code flock(2)} on the FIFO right after
 * opening it and before reading; a second fifochan reader (in any language) is refused at once with
 * {@link FifoBusyException}. A reader that takes no lock ({@code cat F}) cannot be kept out.
 *
 * <p><b>Descriptors a shell hands over.</b> These paths name a descriptor this process already
 * holds and are opened through it (no path race exists there, so the link and FIFO rules do not
 * apply; no lock is taken, nothing is created or deleted): {@code /dev/stdin}, {@code /dev/stdout},
 * {@code /dev/stderr}, {@code /dev/fd/N}, {@code /proc/self/fd/N} and {@code /proc/PID/fd/N} with
 * this process's pid. The descriptor must be open for the access asked for and be a pipe, a FIFO
 * or a regular file (a recorded stream); a pipe or FIFO is opened afresh through
 * {@code /proc/self/fd/N} so that its non-blocking mode is this transport's own, a regular file is
 * duplicated (sharing its offset). Following is not possible on them.
 *
 * <p><b>Native calls and platforms</b>: see the package documentation;
 * {@link NativeUnavailableException} is thrown by every method here, on every call, when they cannot
 * be made.
 */
public final class Fifo {
  /** The mode of FIFOs created without an explicit one: owner read and write only. */
  public static final int DEFAULT_MODE = FifoOptions.DEFAULT_MODE;

  private Fifo() {}

  /** {@link #create(Path, int)} with mode {@code 0600}. */
  public static Path create(Path path) throws IOException {
    return create(path, DEFAULT_MODE);
  }

  /**
   * Creates a FIFO with exactly {@code mode} (the umask does not apply). Fails with
   * {@link java.nio.file.FileAlreadyExistsException} if anything, even a FIFO, exists at the path:
   * to accept an existing FIFO, open it with {@link FifoOptions#createIfMissing()} instead, which
   * creates it only if missing (and checks it either way).
   *
   * @throws UnsafeFifoException if the parent directory is writable by others without the sticky bit
   * @throws NativeUnavailableException if native calls cannot be made in this JVM
   */
  public static Path create(Path path, int mode) throws IOException {
    Objects.requireNonNull(path, "path");
    if ((mode & ~0777) != 0) {
      throw new IllegalArgumentException("mode must be permission bits (0 to 0777): 0" + Integer.toOctalString(mode));
    }
    NativeLoader.require();
    FifoFile.create(path, mode);
    return path;
  }

  /** {@link #openSender(Path, Codec, ChannelConfig)} with {@link ChannelConfig#defaults()}. */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec) throws IOException {
    return openSender(path, codec, ChannelConfig.defaults());
  }

  /**
   * Opens the FIFO's write end (waiting for a reader at most the open timeout) and returns a sender
   * over it; closing the sender closes the FIFO end. The FIFO options are taken from
   * {@code config} (its 0.1 FIFO settings).
   */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    return openSender(path, codec, config, optionsOf(config));
  }

  /** Opens the FIFO's write end with {@code options} and returns a sender over it. */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec, ChannelConfig config, FifoOptions options)
      throws IOException {
    Objects.requireNonNull(codec, "codec");
    FifoWriteChannel ch = openWriteChannel(path, options);
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

  /** {@link #openReceiver(Path, Codec, ChannelConfig, FifoOptions)} with the FIFO options taken from {@code config}. */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    return openReceiver(path, codec, config, optionsOf(config));
  }

  /**
   * Returns a receiver of the FIFO. Without {@link FifoOptions#follow()} it opens the read end now
   * (waiting for the first writer's first byte at most the open timeout) and the receiver ends with
   * that writer's stream. With follow, it reads one writer after another through
   * {@link #follow(Path, FifoOptions)}: {@code receive()} waits for the next writer without limit,
   * {@code poll(timeout)} at most its timeout (the open timeout does not apply).
   *
   * @throws FifoBusyException if another fifochan reader has the FIFO
   */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec, ChannelConfig config, FifoOptions options)
      throws IOException {
    Objects.requireNonNull(codec, "codec");
    if (options.follow()) {
      return Receiver.following(follow(path, options), codec, config);
    }
    return Receiver.over(openReadChannel(path, options), codec, config);
  }

  /** {@link #openWriteChannel(Path, FifoOptions)} with the FIFO options taken from {@code config}. */
  public static FifoWriteChannel openWriteChannel(Path path, ChannelConfig config) throws IOException {
    return openWriteChannel(path, optionsOf(config));
  }

  /**
   * Opens the write end, waiting for a reader at most the open timeout. To let another thread
   * cancel the open by closing, use {@link FifoWriteChannel#unconnected} and
   * {@link FifoWriteChannel#connect()}.
   */
  public static FifoWriteChannel openWriteChannel(Path path, FifoOptions options) throws IOException {
    return connected(FifoWriteChannel.unconnected(path, options));
  }

  /** {@link #openReadChannel(Path, FifoOptions)} with the FIFO options taken from {@code config}. */
  public static FifoReadChannel openReadChannel(Path path, ChannelConfig config) throws IOException {
    return openReadChannel(path, optionsOf(config));
  }

  /**
   * Opens the read end, taking the reader lock and waiting at most the open timeout for the first
   * writer's first byte. To let another thread cancel the open by closing, use
   * {@link FifoReadChannel#unconnected} and {@link FifoReadChannel#connect()}.
   *
   * @throws FifoBusyException if another fifochan reader has the FIFO
   */
  public static FifoReadChannel openReadChannel(Path path, FifoOptions options) throws IOException {
    return connected(FifoReadChannel.unconnected(path, options));
  }

  /** {@link #follow(Path, FifoOptions)} with the FIFO options taken from {@code config}. */
  public static SourceOpener follow(Path path, ChannelConfig config) throws IOException {
    return follow(path, optionsOf(config));
  }

  /**
   * A {@link SourceOpener} that opens the FIFO's read end afresh for each writer, without losing bytes
   * between writers (see {@link FifoOptions#follow()}). It checks (and maybe creates) the FIFO now,
   * takes the reader lock and holds one read descriptor until closed, so writers can open the FIFO
   * from now on.
   *
   * @throws FifoBusyException if another fifochan reader has the FIFO
   * @throws IllegalArgumentException for a path naming an inherited descriptor (a pipe has one writer session)
   */
  public static SourceOpener follow(Path path, FifoOptions options) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    if (dev.fifochan.fifo.internal.InheritedDescriptor.number(path) >= 0) {
      throw new IllegalArgumentException("cannot follow " + path + ": it names an inherited descriptor, not a FIFO path");
    }
    NativeLoader.require();
    return FollowOpener.create(path, options);
  }

  /** The FIFO settings of a 0.1 {@link ChannelConfig}. */
  static FifoOptions optionsOf(ChannelConfig config) {
    return FifoOptions.builder()
        .openTimeout(config.openTimeout())
        .follow(config.follow())
        .mode(config.fifoMode())
        .createIfMissing(config.createIfMissing())
        .deleteOnClose(config.deleteOnClose())
        .allowForeignOwner(config.allowForeignOwner())
        .pipeSize(config.pipeSize())
        .fanIn(config.fanIn())
        .build();
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
