package dev.fifochan;

import java.time.Duration;
import java.util.Objects;

/**
 * The one immutable configuration of a sender or receiver, with sane defaults. Transport options
 * (open timeout, FIFO mode, ownership, follow, pipe size) are ignored by transports they do not
 * apply to.
 *
 * <pre>{@code
 * ChannelConfig config = ChannelConfig.builder()
 *     .openTimeout(Duration.ofSeconds(5))
 *     .checksum(true)
 *     .build();
 * }</pre>
 */
public final class ChannelConfig {
  private static final ChannelConfig DEFAULTS = new Builder().build();

  private final int maxFrameLength;
  private final boolean checksum;
  private final int bufferSize;
  private final Duration flushDelay;
  private final boolean fanIn;
  private final Duration openTimeout;
  private final boolean follow;
  private final int fifoMode;
  private final boolean createIfMissing;
  private final boolean deleteOnClose;
  private final boolean allowForeignOwner;
  private final int pipeSize;

  private ChannelConfig(Builder b) {
    this.maxFrameLength = b.maxFrameLength;
    this.checksum = b.checksum;
    this.bufferSize = b.bufferSize;
    this.flushDelay = b.flushDelay;
    this.fanIn = b.fanIn;
    this.openTimeout = b.openTimeout;
    this.follow = b.follow;
    this.fifoMode = b.fifoMode;
    this.createIfMissing = b.createIfMissing;
    this.deleteOnClose = b.deleteOnClose;
    this.allowForeignOwner = b.allowForeignOwner;
    this.pipeSize = b.pipeSize;
  }

  /** The defaults: 16 MiB frames, no checksum, 256 KiB buffer, 50 µs flush delay, 30 s open timeout, mode 0600. */
  public static ChannelConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Largest payload a reader accepts and a writer sends, in bytes. */
  public int maxFrameLength() {
    return maxFrameLength;
  }

  /** Whether the writer appends a CRC-32C to every frame. Readers verify checksums whenever present. */
  public boolean checksum() {
    return checksum;
  }

  /** Size of the sender's coalescing buffer and of the receiver's read buffer, in bytes. */
  public int bufferSize() {
    return bufferSize;
  }

  /**
   * How long a sender may keep buffered messages once it goes idle before it writes them out.
   * {@link Duration#ZERO} writes every message at once (one system call per send).
   */
  public Duration flushDelay() {
    return flushDelay;
  }

  /**
   * Fan-in mode for several writers on one FIFO: every write holds whole records and at most
   * {@link WireFormat#PIPE_BUF} bytes, so writers never interleave; larger frames are refused.
   */
  public boolean fanIn() {
    return fanIn;
  }

  /** How long opening an end waits for the peer to open the other one. */
  public Duration openTimeout() {
    return openTimeout;
  }

  /** Whether a receiver keeps reading from the next writer after one ends (cleanly or not). */
  public boolean follow() {
    return follow;
  }

  /** Permission bits of a FIFO this library creates (default {@code 0600}). */
  public int fifoMode() {
    return fifoMode;
  }

  /** Whether opening a missing FIFO creates it. */
  public boolean createIfMissing() {
    return createIfMissing;
  }

  /** Whether closing this end deletes the FIFO. */
  public boolean deleteOnClose() {
    return deleteOnClose;
  }

  /** Whether a FIFO owned by another user may be opened. */
  public boolean allowForeignOwner() {
    return allowForeignOwner;
  }

  /** Pipe capacity to request from the kernel, in bytes (best effort; 0 leaves the default). */
  public int pipeSize() {
    return pipeSize;
  }

  @Override
  public String toString() {
    return "ChannelConfig{maxFrameLength=" + maxFrameLength + ", checksum=" + checksum
        + ", bufferSize=" + bufferSize + ", flushDelay=" + flushDelay + ", fanIn=" + fanIn
        + ", openTimeout=" + openTimeout + ", follow=" + follow
        + ", fifoMode=0" + Integer.toOctalString(fifoMode) + ", createIfMissing=" + createIfMissing
        + ", deleteOnClose=" + deleteOnClose + ", allowForeignOwner=" + allowForeignOwner
        + ", pipeSize=" + pipeSize + "}";
  }

  /** Builds a {@link ChannelConfig}; every setter validates its argument. */
  public static final class Builder {
    private int maxFrameLength = WireFormat.DEFAULT_MAX_FRAME_LENGTH;
    private boolean checksum;
    private int bufferSize = 256 * 1024;
    private Duration flushDelay = Duration.ofNanos(50_000);
    private boolean fanIn;
    private Duration openTimeout = Duration.ofSeconds(30);
    private boolean follow;
    private int fifoMode = 0600;
    private boolean createIfMissing = true;
    private boolean deleteOnClose;
    private boolean allowForeignOwner;
    private int pipeSize = 1 << 20;

    private Builder() {}

    private Builder(ChannelConfig c) {
      maxFrameLength = c.maxFrameLength;
      checksum = c.checksum;
      bufferSize = c.bufferSize;
      flushDelay = c.flushDelay;
      fanIn = c.fanIn;
      openTimeout = c.openTimeout;
      follow = c.follow;
      fifoMode = c.fifoMode;
      createIfMissing = c.createIfMissing;
      deleteOnClose = c.deleteOnClose;
      allowForeignOwner = c.allowForeignOwner;
      pipeSize = c.pipeSize;
    }

    public Builder maxFrameLength(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxFrameLength must be >= 0: " + bytes);
      }
      this.maxFrameLength = bytes;
      return this;
    }

    public Builder checksum(boolean on) {
      this.checksum = on;
      return this;
    }

    public Builder bufferSize(int bytes) {
      if (bytes < WireFormat.PIPE_BUF) {
        throw new IllegalArgumentException("bufferSize must be >= " + WireFormat.PIPE_BUF + ": " + bytes);
      }
      this.bufferSize = bytes;
      return this;
    }

    public Builder flushDelay(Duration delay) {
      this.flushDelay = nonNegative("flushDelay", delay);
      return this;
    }

    public Builder fanIn(boolean on) {
      this.fanIn = on;
      return this;
    }

    public Builder openTimeout(Duration timeout) {
      this.openTimeout = nonNegative("openTimeout", timeout);
      return this;
    }

    public Builder follow(boolean on) {
      this.follow = on;
      return this;
    }

    public Builder fifoMode(int mode) {
      if ((mode & ~0777) != 0) {
        throw new IllegalArgumentException("fifoMode must be permission bits (0 to 0777): 0" + Integer.toOctalString(mode));
      }
      this.fifoMode = mode;
      return this;
    }

    public Builder createIfMissing(boolean on) {
      this.createIfMissing = on;
      return this;
    }

    public Builder deleteOnClose(boolean on) {
      this.deleteOnClose = on;
      return this;
    }

    public Builder allowForeignOwner(boolean on) {
      this.allowForeignOwner = on;
      return this;
    }

    public Builder pipeSize(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("pipeSize must be >= 0: " + bytes);
      }
      this.pipeSize = bytes;
      return this;
    }

    public ChannelConfig build() {
      return new ChannelConfig(this);
    }

    private static Duration nonNegative(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative: " + d);
      }
      return d;
    }
  }
}
