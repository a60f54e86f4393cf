package dev.fifochan.fifo;

import java.time.Duration;
import java.util.Objects;

/**
 * How the FIFO transport creates, checks and opens a FIFO: immutable, made with {@link #builder()}
 * (which validates each value) or {@link #defaults()}. Framing and sender policy live in
 * {@link dev.fifochan.ChannelConfig}; this class holds only what concerns the FIFO itself.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #openTimeout()}</td><td>30 s</td><td>longest wait for the peer when opening</td></tr>
 *   <tr><td>{@link #follow()}</td><td>false</td><td>a receiver reads one writer after another</td></tr>
 *   <tr><td>{@link #mode()}</td><td>0600</td><td>permission bits of a FIFO this side creates</td></tr>
 *   <tr><td>{@link #createIfMissing()}</td><td>true</td><td>create the FIFO when the path does not exist</td></tr>
 *   <tr><td>{@link #deleteOnClose()}</td><td>false</td><td>unlink the FIFO on close if it is still the one opened</td></tr>
 *   <tr><td>{@link #allowForeignOwner()}</td><td>false</td><td>accept a FIFO owned by another user</td></tr>
 *   <tr><td>{@link #pipeSize()}</td><td>1 MiB</td><td>pipe capacity asked for (best effort; 0: leave it)</td></tr>
 *   <tr><td>{@link #fanIn()}</td><td>false</td><td>several writers: whole records in writes of at most 4096 bytes</td></tr>
 *   <tr><td>{@link #exclusiveReader()}</td><td>true</td><td>a reader takes the FIFO's lock and refuses a second reader</td></tr>
 *   <tr><td>{@link #lingerOnClose()}</td><td>false</td><td>a sender learns whether its reader read the whole stream</td></tr>
 * </table>
 */
public final class FifoOptions {
  /** Permission bits of FIFOs created without an explicit mode: owner read and write. */
  public static final int DEFAULT_MODE = 0600;
  /** Pipe capacity asked for by default: 1 MiB (Linux's default {@code pipe-max-size}). */
  public static final int DEFAULT_PIPE_SIZE = 1 << 20;

  private static final FifoOptions DEFAULTS = new Builder().build();

  private final Duration openTimeout;
  private final boolean follow;
  private final int mode;
  private final boolean createIfMissing;
  private final boolean deleteOnClose;
  private final boolean allowForeignOwner;
  private final int pipeSize;
  private final boolean fanIn;
  private final boolean exclusiveReader;
  private final boolean lingerOnClose;

  private FifoOptions(Builder b) {
    openTimeout = b.openTimeout;
    follow = b.follow;
    mode = b.mode;
    createIfMissing = b.createIfMissing;
    deleteOnClose = b.deleteOnClose;
    allowForeignOwner = b.allowForeignOwner;
    pipeSize = b.pipeSize;
    fanIn = b.fanIn;
    exclusiveReader = b.exclusiveReader;
    lingerOnClose = b.lingerOnClose;
  }

  /** The defaults (see the table above). */
  public static FifoOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Longest time an open waits for the peer: a writer for a reader, a (non-following) reader for
   * the first writer's first byte. Not applied to a following receiver's waits between writers.
   */
  public Duration openTimeout() {
    return openTimeout;
  }

  /**
   * Whether a receiver follows the FIFO across writers: after one writer's stream ends it waits for
   * the next one instead of ending; a stream failure is reported once and the next writer is read.
   */
  public boolean follow() {
    return follow;
  }

  /** Permission bits (0 to 0777) of a FIFO created by this side, exactly: the umask does not apply. */
  public int mode() {
    return mode;
  }

  /** Whether opening a missing path creates the FIFO (with {@link #mode()}). */
  public boolean createIfMissing() {
    return createIfMissing;
  }

  /** Whether closing unlinks the FIFO, if the path still names the FIFO this side opened. */
  public boolean deleteOnClose() {
    return deleteOnClose;
  }

  /** Whether a FIFO owned by another user than the effective one is accepted. */
  public boolean allowForeignOwner() {
    return allowForeignOwner;
  }

  /**
   * Pipe capacity in bytes asked for with {@code F_SETPIPE_SZ}; the kernel rounds it up to a power
   * of two pages and may refuse it (above {@code /proc/sys/fs/pipe-max-size} for a user without
   * {@code CAP_SYS_RESOURCE}), in which case the pipe keeps its size. 0: do not ask.
   */
  public int pipeSize() {
    return pipeSize;
  }

  /**
   * Whether several writers share the FIFO: each record then reaches the pipe in one write of at
   * most {@code PIPE_BUF} (4096) bytes, which the kernel never interleaves with another writer's;
   * larger frames are refused.
   */
  public boolean fanIn() {
    return fanIn;
  }

  /**
   * Whether a reader takes an exclusive {@code flock} on the FIFO before reading and refuses to
   * read when another reader holds it ({@link FifoBusyException}). On by default; off only for
   * tests of the lock itself.
   */
  public boolean exclusiveReader() {
    return exclusiveReader;
  }

  /**
   * Whether a sender opened with these options makes sure its reader consumed the stream. A FIFO
   * tells a writer nothing about its reader, so by default a sender's clean close means only that
   * every byte went into the pipe: a reader that refused the stream (another codec or wire version)
   * or exited early is not noticed when the stream fits in the pipe. With this option:
   * <ul>
   *   <li>before its first frame the sender waits until the reader has read the preamble, so that
   *   a reader that refuses the preamble has read nothing else;</li>
   *   <li>after the end of stream is written, {@code close()} waits, bounded by the close timeout
   *   ({@link dev.fifochan.ChannelConfig#closeTimeout()}), until the pipe is empty
   *   ({@code ioctl(FIONREAD)} on the write end reaches 0 while a reader is there): the reader read
   *   every byte; or until the reader is gone with bytes unread, which fails the close (and
   *   {@code done()}) with a {@link dev.fifochan.PeerClosedException} saying how many bytes were
   *   not read.</li>
   * </ul>
   * A reader that refused the preamble therefore always shows: either a later write finds it gone,
   * or the bytes after the preamble stay unread. What the option cannot tell is what a reader that
   * read everything did with it. Without a reader lock on the FIFO's other side, a second reader
   * may have consumed part of the bytes. Ignored by inherited descriptors that are not pipes and
   * by fan-in senders (other writers' bytes share the pipe). Default false.
   */
  public boolean lingerOnClose() {
    return lingerOnClose;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FifoOptions)) {
      return false;
    }
    FifoOptions x = (FifoOptions) o;
    return openTimeout.equals(x.openTimeout) && follow == x.follow && mode == x.mode
        && createIfMissing == x.createIfMissing && deleteOnClose == x.deleteOnClose
        && allowForeignOwner == x.allowForeignOwner && pipeSize == x.pipeSize && fanIn == x.fanIn
        && exclusiveReader == x.exclusiveReader && lingerOnClose == x.lingerOnClose;
  }

  @Override
  public int hashCode() {
    return Objects.hash(openTimeout, follow, mode, createIfMissing, deleteOnClose, allowForeignOwner, pipeSize,
        fanIn, exclusiveReader, lingerOnClose);
  }

  @Override
  public String toString() {
    return "FifoOptions[openTimeout=" + openTimeout + ", follow=" + follow + ", mode=0" + Integer.toOctalString(mode)
        + ", createIfMissing=" + createIfMissing + ", deleteOnClose=" + deleteOnClose
        + ", allowForeignOwner=" + allowForeignOwner + ", pipeSize=" + pipeSize + ", fanIn=" + fanIn
        + ", exclusiveReader=" + exclusiveReader + ", lingerOnClose=" + lingerOnClose + "]";
  }

  /** Builds {@link FifoOptions}; each setter validates its value at once. */
  public static final class Builder {
    private Duration openTimeout = Duration.ofSeconds(30);
    private boolean follow;
    private int mode = DEFAULT_MODE;
    private boolean createIfMissing = true;
    private boolean deleteOnClose;
    private boolean allowForeignOwner;
    private int pipeSize = DEFAULT_PIPE_SIZE;
    private boolean fanIn;
    private boolean exclusiveReader = true;
    private boolean lingerOnClose;

    private Builder() {}

    private Builder(FifoOptions o) {
      openTimeout = o.openTimeout;
      follow = o.follow;
      mode = o.mode;
      createIfMissing = o.createIfMissing;
      deleteOnClose = o.deleteOnClose;
      allowForeignOwner = o.allowForeignOwner;
      pipeSize = o.pipeSize;
      fanIn = o.fanIn;
      exclusiveReader = o.exclusiveReader;
      lingerOnClose = o.lingerOnClose;
    }

    /** Longest wait for the peer when opening; zero or more ({@link Duration#ZERO}: try once). */
    public Builder openTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("openTimeout must not be negative: " + timeout);
      }
      this.openTimeout = timeout;
      return this;
    }

    /** See {@link FifoOptions#follow()}. */
    public Builder follow(boolean on) {
      this.follow = on;
      return this;
    }

    /** Permission bits, 0 to 0777. */
    public Builder mode(int mode) {
      if ((mode & ~0777) != 0) {
        throw new IllegalArgumentException("mode must be permission bits (0 to 0777): 0" + Integer.toOctalString(mode));
      }
      this.mode = mode;
      return this;
    }

    /** See {@link FifoOptions#createIfMissing()}. */
    public Builder createIfMissing(boolean on) {
      this.createIfMissing = on;
      return this;
    }

    /** See {@link FifoOptions#deleteOnClose()}. */
    public Builder deleteOnClose(boolean on) {
      this.deleteOnClose = on;
      return this;
    }

    /** See {@link FifoOptions#allowForeignOwner()}. */
    public Builder allowForeignOwner(boolean on) {
      this.allowForeignOwner = on;
      return this;
    }

    /** Bytes, 0 (leave the pipe's size alone) or more. */
    public Builder pipeSize(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("pipeSize must not be negative: " + bytes);
      }
      this.pipeSize = bytes;
      return this;
    }

    /** See {@link FifoOptions#fanIn()}. */
    public Builder fanIn(boolean on) {
      this.fanIn = on;
      return this;
    }

    /** See {@link FifoOptions#lingerOnClose()}. */
    public Builder lingerOnClose(boolean on) {
      this.lingerOnClose = on;
      return this;
    }

    /** See {@link FifoOptions#exclusiveReader()}. */
    public Builder exclusiveReader(boolean on) {
      this.exclusiveReader = on;
      return this;
    }

    /** Options with the values set on this builder. */
    public FifoOptions build() {
      return new FifoOptions(this);
    }
  }
}
