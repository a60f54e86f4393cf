package dev.fifochan.fifo;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.internal.FifoFile;
import dev.fifochan.fifo.internal.InheritedDescriptor;
import dev.fifochan.fifo.internal.Linux;
import dev.fifochan.fifo.internal.NativeLoader;
import dev.fifochan.spi.ByteStreams;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.FrameSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Predicate;

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

  /** {@link #openSender(Path, Codec, ChannelConfig, FifoOptions)} with the default configuration and options. */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec) throws IOException {
    return openSender(path, codec, ChannelConfig.defaults(), FifoOptions.defaults());
  }

  /** {@link #openSender(Path, Codec, ChannelConfig, FifoOptions)} with the default FIFO options. */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    return openSender(path, codec, config, FifoOptions.defaults());
  }

  /**
   * Opens the FIFO's write end (waiting for a reader at most {@link FifoOptions#openTimeout()}) and
   * returns a sender over it; closing the sender closes the FIFO end. With
   * {@link FifoOptions#fanIn()} every write holds whole records of at most 4096 bytes.
   *
   * @throws dev.fifochan.OpenTimeoutException if no reader came in time
   * @throws FifoRemovedException if the FIFO was removed while waiting
   * @throws UnsafeFifoException if the path is refused
   * @throws NativeUnavailableException if native calls cannot be made in this JVM
   */
  public static <T> Sender<T> openSender(Path path, Codec<T> codec, ChannelConfig config, FifoOptions options)
      throws IOException {
    Objects.requireNonNull(codec, "codec");
    FrameSink sink = openSink(path, config, options);
    boolean ok = false;
    try {
      Sender<T> sender = Sender.over(sink, codec, config);
      ok = true;
      return sender;
    } finally {
      if (!ok) {
        sink.close();
      }
    }
  }

  /** {@link #openReceiver(Path, Codec, ChannelConfig, FifoOptions)} with the default configuration and options. */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec) throws IOException {
    return openReceiver(path, codec, ChannelConfig.defaults(), FifoOptions.defaults());
  }

  /** {@link #openReceiver(Path, Codec, ChannelConfig, FifoOptions)} with the default FIFO options. */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec, ChannelConfig config) throws IOException {
    return openReceiver(path, codec, config, FifoOptions.defaults());
  }

  /**
   * Returns a receiver of the FIFO, accepting the writer codecs {@code codec} accepts. Without
   * {@link FifoOptions#follow()} it opens the read end now (taking the reader lock, then waiting for
   * the first writer's first byte at most the open timeout) and the receiver ends with that writer's
   * stream. With follow, it reads one writer after another: it takes the FIFO and its lock now and
   * keeps them until closed; {@code receive()} waits for the next writer without limit,
   * {@code receive(timeout)} at most its timeout (the open timeout does not apply); a stream failure
   * is thrown once and the next writer is read.
   *
   * @throws FifoBusyException if another fifochan reader has the FIFO
   * @throws dev.fifochan.OpenTimeoutException (not following) if no writer came in time
   * @throws FifoRemovedException if the FIFO was removed while waiting
   * @throws UnsafeFifoException if the path is refused
   * @throws NativeUnavailableException if native calls cannot be made in this JVM
   */
  public static <T> Receiver<T> openReceiver(Path path, Codec<T> codec, ChannelConfig config, FifoOptions options)
      throws IOException {
    Objects.requireNonNull(codec, "codec");
    return Receiver.over(openSource(path, config, options, codec::accepts, codec.name()), codec, config);
  }

  /**
   * Opens the FIFO's write end as a transport {@link FrameSink} (what {@link #openSender} wraps), for
   * code that writes records itself (request/response, bridges). With
   * {@link FifoOptions#lingerOnClose()} (and without fan-in) starting the session waits until the
   * reader has read the preamble, and ending it until the reader has read every byte.
   */
  public static FrameSink openSink(Path path, ChannelConfig config, FifoOptions options) throws IOException {
    Objects.requireNonNull(config, "config");
    FifoWriteChannel ch = openWriteChannel(path, options);
    boolean ok = false;
    try {
      FrameSink sink;
      if (options.lingerOnClose() && !options.fanIn()) {
        LingeringSink[] owner = new LingeringSink[1];
        owner[0] = new LingeringSink(ch, ByteStreams.sink(LingeringSink.view(ch, owner), config, 0), options.openTimeout());
        sink = owner[0];
      } else {
        sink = ByteStreams.sink(ch, config, options.fanIn() ? Linux.PIPE_BUF : 0);
      }
      ok = true;
      return sink;
    } finally {
      if (!ok) {
        ch.close();
      }
    }
  }

  /**
   * Opens the FIFO's read end as a transport {@link FrameSource} (what {@link #openReceiver} wraps),
   * following it across writers with {@link FifoOptions#follow()}.
   *
   * @param acceptsCodec which writer codecs to accept (null: every one)
   * @param readerCodec the reader's codec name, for messages (may be null)
   */
  public static FrameSource openSource(Path path, ChannelConfig config, FifoOptions options,
      Predicate<String> acceptsCodec, String readerCodec) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(options, "options");
    if (options.follow()) {
      if (InheritedDescriptor.number(path) >= 0) {
        throw new IllegalArgumentException("cannot follow " + path + ": it names an inherited descriptor, not a FIFO path");
      }
      NativeLoader.require();
      return new FollowingSource(FollowOpener.create(path, options), path, config, acceptsCodec, readerCodec);
    }
    FifoReadChannel ch = openReadChannel(path, options);
    boolean ok = false;
    try {
      FrameSource source = ByteStreams.source(ch, config, acceptsCodec, readerCodec);
      ok = true;
      return source;
    } finally {
      if (!ok) {
        ch.close();
      }
    }
  }

  /**
   * Opens the write end as a raw non-blocking channel, waiting for a reader at most the open
   * timeout. To let another thread cancel the open by closing, use
   * {@link FifoWriteChannel#unconnected} and {@link FifoWriteChannel#connect()}.
   */
  public static FifoWriteChannel openWriteChannel(Path path, FifoOptions options) throws IOException {
    return connected(FifoWriteChannel.unconnected(path, options));
  }

  /**
   * Opens the read end as a raw non-blocking channel, taking the reader lock and waiting at most the
   * open timeout for the first writer's first byte. To let another thread cancel the open by
   * closing, use {@link FifoReadChannel#unconnected} and {@link FifoReadChannel#connect()}.
   *
   * @throws FifoBusyException if another fifochan reader has the FIFO
   */
  public static FifoReadChannel openReadChannel(Path path, FifoOptions options) throws IOException {
    return connected(FifoReadChannel.unconnected(path, options));
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
