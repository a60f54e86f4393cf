package dev.fifochan.internal;

import static dev.fifochan.internal.FrameDescriptor.CHECKSUM_LENGTH;
import static dev.fifochan.internal.FrameDescriptor.FLAGS_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.FLAG_ABORTED;
import static dev.fifochan.internal.FrameDescriptor.FLAG_END_OF_STREAM;
import static dev.fifochan.internal.FrameDescriptor.FLAG_HEADERS;
import static dev.fifochan.internal.FrameDescriptor.FLAG_HEARTBEAT;
import static dev.fifochan.internal.FrameDescriptor.MAGIC;
import static dev.fifochan.internal.FrameDescriptor.TAG_LENGTH_OFFSET;
import static dev.fifochan.internal.FrameDescriptor.TAG_OFFSET;

import dev.fifochan.ChannelConfig;
import dev.fifochan.CloseTimeoutException;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.MessageTooLongException;
import dev.fifochan.PayloadSink;
import dev.fifochan.PeerClosedException;
import dev.fifochan.SendStatus;
import dev.fifochan.WaitStrategy;
import dev.fifochan.WireVersion;
import dev.fifochan.spi.FrameSink;
import dev.fifochan.spi.SinkCounters;
import dev.fifochan.spi.WaitableChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The write loop: a {@link FrameSink} over any {@link WritableByteChannel}. Records are coalesced in
 * one reused page-aligned direct buffer and written when it fills, on {@link #flush}, and (with a zero
 * flush delay, or over a blocking channel) at every commit. A payload is encoded straight into that
 * buffer; one that outgrows it spills into a reused heap buffer, and a frame larger than the whole
 * buffer is written from there directly (the "tail"). Frames reach the channel whole and in order.
 *
 * <p>Over a {@link WaitableChannel} writes never block; waits go through the wait strategy, honour the
 * caller's deadline, {@link #wakeup()} and interrupts. Over any other channel writes block in the
 * channel and deadlines are not enforced; such a sink writes every frame at its commit (no idle
 * flushes are needed).
 *
 * <p>With an atomic-write limit (fan-in), the buffer is that many bytes and every write holds whole
 * records only, at most that many bytes; a longer record is refused with
 * {@link MessageTooLongException} ({@code ATOMIC_WRITE}).
 */
public final class ByteStreamSink implements FrameSink {
  /** An overflow buffer larger than this is released once its frame is done (1 MiB). */
  private static final int RETAIN_OVERFLOW = 1 << 20;
  private static final byte[] NO_BYTES = new byte[0];
  /** A deadline that has passed: try once, never wait. */
  private static final Deadline EXPIRED = Deadline.afterNanos(0);

  private final WritableByteChannel channel;
  private final WaitableChannel waitable;
  private final String description;
  private final boolean checksum;
  private final int maxFrameLength;
  private final int atomicLimit;
  private final boolean writeThrough;
  private final WaitStrategy strategy;
  private final FrameEncoder encoder = new FrameEncoder();
  private final Payload payloadSink = new Payload();

  /** Records from 0 to position; bytes before {@code written} are in the channel. */
  private final ByteBuffer buf;
  private final ByteBuffer drainView;
  private final int payloadLimit;
  private int written;
  /** Start of the first record not completely written (every record before it is counted). */
  private int counted;
  /** Messages in buf, and how many of them are completely written. */
  private int bufMessages;
  private int bufCounted;

  /** A frame larger than buf, being written from its own buffer (read mode); null if none. */
  private ByteBuffer tail;
  private ByteBuffer spareOverflow;

  private WireVersion version;
  private boolean started;
  private boolean inFrame;
  private boolean overflowing;
  private int frameStart;
  private int payloadStart;
  private ByteBuffer overflow;
  private int lastFrameSize;

  private volatile long wakeups;
  private volatile boolean closed;
  private IOException failure;
  /**
   * The frame being committed is counted as pending but not accepted yet: if the transport fails
   * before {@link #commitFrame} returns, the sender reports that send as failed, so the frame is not
   * among the accepted messages discarded.
   */
  private boolean committing;

  private final LiveCounter messagesWritten = new LiveCounter();
  private final LiveCounter bytesWritten = new LiveCounter();
  private final LiveCounter waits = new LiveCounter();
  private final LiveCounter waitNanos = new LiveCounter();
  private final LiveCounter pending = new LiveCounter();
  private final LiveCounter torn = new LiveCounter();
  private final SinkCounters counters = new Counters();

  /**
   * @param channel the transport; waitable if it implements {@link WaitableChannel}
   * @param config checksum, frame limit, buffer size, flush delay and wait strategy
   * @param atomicWriteLimit the largest write that holds whole records only (0: none)
   * @param description the transport end, for messages
   */
  public ByteStreamSink(WritableByteChannel channel, ChannelConfig config, int atomicWriteLimit, String description) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.waitable = channel instanceof WaitableChannel ? (WaitableChannel) channel : null;
    this.description = description != null ? description : channel.toString();
    this.checksum = config.checksum();
    this.maxFrameLength = config.maxFrameLength();
    if (atomicWriteLimit < 0 || (atomicWriteLimit > 0 && atomicWriteLimit < 512)) {
      throw new IllegalArgumentException("atomicWriteLimit must be 0 (none) or at least 512: " + atomicWriteLimit);
    }
    this.atomicLimit = atomicWriteLimit;
    this.writeThrough = waitable == null || config.flushDelay().isZero();
    this.strategy = config.waitStrategy();
    this.buf = atomicWriteLimit > 0 ? Buffers.pageAlignedDirect(atomicWriteLimit).limit(atomicWriteLimit).slice()
        : Buffers.pageAlignedDirect(config.bufferSize());
    this.drainView = buf.duplicate();
    this.payloadLimit = buf.capacity() - CHECKSUM_LENGTH;
  }

  // ---------------------------------------------------------------- FrameSink

  @Override
  public void start(String codecName, WireVersion version) throws IOException {
    if (!FrameDescriptor.isValidCodecName(codecName)) {
      throw new IllegalArgumentException("codec name must be 1 to 64 printable ASCII characters: '" + codecName + "'");
    }
    checkUsable();
    if (started) {
      throw new IllegalStateException("session already started");
    }
    this.version = Objects.requireNonNull(version, "version");
    byte[] name = codecName.getBytes(StandardCharsets.US_ASCII);
    encoder.putPreamble(buf, version.versionByte(), name);
    started = true;
  }

  @Override
  public PayloadSink beginFrame(byte[] tagUtf8, Headers headers) throws IOException {
    checkUsable();
    if (!started) {
      throw new IllegalStateException("start() the session first");
    }
    if (inFrame) {
      throw new IllegalStateException("a frame is already in progress");
    }
    if (tagUtf8.length > FrameDescriptor.MAX_TAG_LENGTH) {
      throw new IllegalArgumentException("type tag longer than 255 UTF-8 bytes: " + tagUtf8.length);
    }
    byte[] block = headerBlock(headers);
    int head = FrameEncoder.headLength(tagUtf8.length, block);
    if (buf.position() > written && buf.position() + head + lastFrameSize > payloadLimit && lastFrameSize <= payloadLimit) {
      // A frame like the last one would spill: write what the channel takes now, without waiting.
      drain(EXPIRED, wakeups, false);
    }
    if (written == buf.position() && written > 0 && tail == null) {
      clearBuffer();
    }
    inFrame = true;
    if (buf.position() + head <= payloadLimit) {
      overflowing = false;
      buf.limit(payloadLimit);
      frameStart = encoder.beginFrame(buf, checksum, tagUtf8, block);
      payloadStart = buf.position();
    } else {
      overflowing = true;
      overflow = overflowBuffer(head + 256);
      frameStart = encoder.beginFrame(overflow, checksum, tagUtf8, block);
      payloadStart = overflow.position();
    }
    return payloadSink;
  }

  @Override
  public SendStatus commitFrame(Deadline deadline) throws IOException {
    try {
      return commit(deadline);
    } finally {
      committing = false;
    }
  }

  private SendStatus commit(Deadline deadline) throws IOException {
    long gen = wakeups;
    if (!inFrame) {
      throw new IllegalStateException("no frame in progress");
    }
    if (failure != null) {
      abortFrame();
      throw failure;
    }
    int length = payloadLength();
    if (length > maxFrameLength) {
      abortFrame();
      throw new MessageTooLongException(length, maxFrameLength, MessageTooLongException.Limit.FRAME);
    }
    if (!overflowing) {
      encoder.endFrame(buf, frameStart, length);
      buf.limit(buf.capacity());
      inFrame = false;
      int start = frameStart;
      lastFrameSize = buf.position() - start;
      addMessageToBuffer();
      committing = true;
      return writeThrough ? writeThrough(deadline, gen, start) : SendStatus.ACCEPTED;
    }
    // The frame is in the overflow buffer.
    ByteBuffer o = overflow;
    if (o.remaining() < CHECKSUM_LENGTH) {
      o = growOverflow(CHECKSUM_LENGTH);
    }
    encoder.endFrame(o, 0, length);
    int total = o.position();
    lastFrameSize = total;
    if (atomicLimit > 0 && total > atomicLimit) {
      abortFrame();
      throw new MessageTooLongException(total, atomicLimit, MessageTooLongException.Limit.ATOMIC_WRITE);
    }
    if (total <= buf.capacity()) {
      boolean room;
      try {
        room = makeRoom(total, deadline, gen);
      } catch (InterruptedIOException e) {
        abortFrame();
        throw e;
      }
      if (!room) {
        abortFrame();
        return SendStatus.BACK_PRESSURED;
      }
      o.flip();
      int start = buf.position();
      buf.put(o);
      inFrame = false;
      overflowing = false;
      releaseOverflow(o);
      addMessageToBuffer();
      committing = true;
      return writeThrough ? writeThrough(deadline, gen, start) : SendStatus.ACCEPTED;
    }
    // Larger than the whole buffer: write everything before it, then it from its own buffer.
    boolean drained;
    try {
      drained = drain(deadline, gen, true);
    } catch (InterruptedIOException e) {
      abortFrame();
      throw e;
    }
    if (!drained) {
      abortFrame();
      return SendStatus.BACK_PRESSURED;
    }
    o.flip();
    tail = o;
    overflow = null;
    inFrame = false;
    overflowing = false;
    committing = true;
    publishPending();
    try {
      if (!writeTail(deadline, gen) && writeThrough && tail != null && tail.position() == 0) {
        withdrawTail();
        return SendStatus.BACK_PRESSURED;
      }
    } catch (InterruptedIOException e) {
      if (tail != null && tail.position() == 0) {
        withdrawTail();
        throw e;
      }
      Thread.currentThread().interrupt(); // accepted: part of it is in the channel
    }
    return SendStatus.ACCEPTED;
  }

  @Override
  public void abortFrame() {
    if (!inFrame) {
      return;
    }
    if (!overflowing) {
      buf.limit(buf.capacity());
      buf.position(frameStart);
    } else {
      releaseOverflow(overflow);
    }
    inFrame = false;
    overflowing = false;
  }

  @Override
  public boolean flush(Deadline deadline) throws IOException {
    checkUsable();
    if (inFrame) {
      throw new IllegalStateException("flush inside a frame");
    }
    return drain(deadline, wakeups, true);
  }

  @Override
  public boolean hasPending() {
    return tail != null || buf.position() > written;
  }

  @Override
  public boolean heartbeat() throws IOException {
    checkUsable();
    if (version != WireVersion.V1_1 || inFrame) {
      return false;
    }
    int size = FrameEncoder.controlLength(checksum, 0);
    if (buf.capacity() - buf.position() < size) {
      compact();
      if (buf.capacity() - buf.position() < size) {
        return false;
      }
    }
    encoder.putControl(buf, FLAG_HEARTBEAT, checksum, NO_BYTES, 0);
    drain(EXPIRED, wakeups, false);
    return true;
  }

  @Override
  public void end(Deadline deadline) throws IOException {
    long gen = wakeups;
    checkUsable();
    abortFrame();
    int size = FrameEncoder.controlLength(checksum, 0);
    boolean done = false;
    Watchdog watchdog = Watchdog.over(this, waitable == null, deadline);
    try {
      if (makeRoom(size, deadline, gen)) {
        encoder.putControl(buf, FLAG_END_OF_STREAM, checksum, NO_BYTES, 0);
        done = drain(deadline, gen, true);
      }
    } catch (InterruptedIOException e) {
      CloseTimeoutException t = closeTimeout(deadline, e);
      close();
      throw t;
    } catch (IOException e) {
      close();
      if (watchdog.fired()) {
        throw closeTimeout(deadline, null);
      }
      throw e;
    } finally {
      watchdog.cancel();
    }
    if (!done) {
      CloseTimeoutException t = closeTimeout(deadline, null);
      close();
      throw t;
    }
    close();
  }

  @Override
  public boolean abort(String reason, Deadline deadline) {
    long gen = wakeups;
    Watchdog watchdog = Watchdog.over(this, waitable == null, deadline);
    try {
      if (failure != null || closed) {
        return false;
      }
      abortFrame();
      if (version != WireVersion.V1_1) {
        drain(deadline, gen, true); // what was accepted, then no end at all: the reader sees truncation
        return false;
      }
      int room = Math.min(FrameDescriptor.MAX_ABORT_REASON_LENGTH, buf.capacity() - FrameEncoder.controlLength(checksum, 0));
      byte[] text = truncatedUtf8(reason == null ? "" : reason, room);
      int size = FrameEncoder.controlLength(checksum, text.length);
      if (!makeRoom(size, deadline, gen)) {
        return false;
      }
      encoder.putControl(buf, FLAG_END_OF_STREAM | FLAG_ABORTED, checksum, text, text.length);
      return drain(deadline, gen, true);
    } catch (IOException | RuntimeException e) {
      if (e instanceof InterruptedIOException) {
        Thread.currentThread().interrupt();
      }
      return false;
    } finally {
      watchdog.cancel();
      close();
    }
  }

  @Override
  public boolean awaitWritable(Deadline deadline) throws IOException {
    checkUsable();
    if (waitable == null) {
      return true;
    }
    long gen = wakeups;
    if (wakeups != gen || deadline.hasExpired()) {
      return false;
    }
    return waitable.awaitReady(deadline) && wakeups == gen;
  }

  @Override
  public void wakeup() {
    wakeups = wakeups + 1; // racy increments still change the value, which is all a waiter checks
    if (waitable != null) {
      waitable.wakeup();
    }
  }

  @Override
  public SinkCounters counters() {
    return counters;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      // closing: nothing more to write
    }
  }

  @Override
  public String toString() {
    return "ByteStreamSink[" + description + "]";
  }

  /** Whether this sink writes every frame at its commit. */
  public boolean writesThrough() {
    return writeThrough;
  }

  /** The atomic-write limit (0: none). */
  public int atomicWriteLimit() {
    return atomicLimit;
  }

  // ---------------------------------------------------------------- writing

  /**
   * After a commit with a zero flush delay: writes everything. If time runs out before the frame at
   * {@code start} of buf has a byte in the channel, withdraws it: not sent.
   */
  private SendStatus writeThrough(Deadline deadline, long gen, int start) throws IOException {
    try {
      if (drain(deadline, gen, true)) {
        return SendStatus.ACCEPTED;
      }
    } catch (InterruptedIOException e) {
      if (withdrawLastIfUnwritten(start)) {
        throw e;
      }
      Thread.currentThread().interrupt(); // accepted: part of it is in the channel
      return SendStatus.ACCEPTED;
    }
    return withdrawLastIfUnwritten(start) ? SendStatus.BACK_PRESSURED : SendStatus.ACCEPTED;
  }

  /**
   * Removes the message placed last at {@code start} of buf if no byte of it was written; true if it
   * did. (Nothing compacts buf between placing a frame and this call.)
   */
  private boolean withdrawLastIfUnwritten(int start) {
    if (tail == null && written <= start) {
      buf.position(start);
      bufMessages--;
      publishPending();
      return true;
    }
    return false;
  }

  private void addMessageToBuffer() {
    bufMessages++;
    publishPending();
  }

  /**
   * Writes the tail and the records in buf (all of them if {@code waitForAll}; else what the channel
   * takes without waiting).
   *
   * @return true if everything was written
   */
  private boolean drain(Deadline deadline, long gen, boolean waitForAll) throws IOException {
    if (tail != null && !writeTail(waitForAll ? deadline : EXPIRED, gen)) {
      return false;
    }
    int end = buf.position();
    long idleSince = 0;
    while (written < end) {
      drainView.limit(end).position(written);
      int n = write(drainView);
      if (n > 0) {
        written += n;
        idleSince = 0;
        countWritten();
        continue;
      }
      if (!waitForAll) {
        return false;
      }
      if (idleSince == 0) {
        idleSince = System.nanoTime();
      }
      if (!await(deadline, gen, idleSince)) {
        return false;
      }
    }
    clearBuffer();
    return true;
  }

  /** Writes the tail; true when it is done. */
  private boolean writeTail(Deadline deadline, long gen) throws IOException {
    long idleSince = 0;
    while (tail.hasRemaining()) {
      int n = write(tail);
      if (n > 0) {
        idleSince = 0;
        torn.setOwned(tail.hasRemaining() ? 1 : 0);
        continue;
      }
      if (idleSince == 0) {
        idleSince = System.nanoTime();
      }
      if (!await(deadline, gen, idleSince)) {
        return false;
      }
    }
    messagesWritten.addOwned(1);
    releaseOverflow(tail);
    tail = null;
    torn.setOwned(0);
    publishPending();
    return true;
  }

  private void withdrawTail() {
    releaseOverflow(tail);
    tail = null;
    publishPending();
  }

  /** Makes room for {@code size} more bytes in buf, writing records out if needed. */
  private boolean makeRoom(int size, Deadline deadline, long gen) throws IOException {
    if (buf.capacity() - buf.position() >= size) {
      return true;
    }
    compact();
    long idleSince = 0;
    while (buf.capacity() - buf.position() < size) {
      if (tail != null) {
        if (!writeTail(deadline, gen)) {
          return false;
        }
        continue;
      }
      drainView.limit(buf.position()).position(written);
      int n = write(drainView);
      if (n > 0) {
        written += n;
        idleSince = 0;
        countWritten();
        compact();
        continue;
      }
      if (idleSince == 0) {
        idleSince = System.nanoTime();
      }
      if (!await(deadline, gen, idleSince)) {
        return false;
      }
    }
    return true;
  }

  /**
   * One channel write; a failure fails the sink. Every write runs inside a call that found the sink
   * open, so a sink closed meanwhile (by {@link #close()} from another thread) is an
   * {@link AsynchronousCloseException}.
   */
  private int write(ByteBuffer src) throws IOException {
    if (closed) {
      throw failure != null ? failure : new AsynchronousCloseException();
    }
    try {
      int n = channel.write(src);
      if (n > 0) {
        bytesWritten.addOwned(n);
      }
      return n;
    } catch (PeerClosedException e) {
      throw fail(new PeerClosedException(description, messagesWritten.get(), acceptedPending(), isTorn(), e));
    } catch (ClosedChannelException e) {
      if (closed) {
        throw closedMeanwhile(e);
      }
      throw fail(e);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /**
   * Waits for room. Returns false if the deadline passed or {@link #wakeup()} was called; throws
   * {@link AsynchronousCloseException} if the sink was closed before or during the wait (the call
   * waiting began while it was open).
   */
  private boolean await(Deadline deadline, long gen, long idleSince) throws IOException {
    if (closed) {
      throw closedMeanwhile(null);
    }
    if (wakeups != gen || deadline.hasExpired()) {
      return false;
    }
    long t0 = System.nanoTime();
    waits.addOwned(1);
    try {
      Waiting.idle(strategy, waitable, deadline, idleSince);
    } catch (ClosedChannelException e) {
      if (closed) {
        throw closedMeanwhile(e);
      }
      throw e;
    } finally {
      waitNanos.addOwned(System.nanoTime() - t0);
    }
    if (closed) {
      throw closedMeanwhile(null); // a channel whose close ends a wait as a wake-up would
    }
    return wakeups == gen; // retry the write; the next wait checks the deadline
  }

  /** The exception of a call that found the sink closed under it by another thread. */
  private IOException closedMeanwhile(ClosedChannelException cause) {
    if (failure != null) {
      return failure;
    }
    if (cause instanceof AsynchronousCloseException) {
      return cause;
    }
    AsynchronousCloseException e = new AsynchronousCloseException();
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** Counts the records completely written since the last count. */
  private void countWritten() {
    if (written == buf.position()) {
      messagesWritten.addOwned(bufMessages - bufCounted);
      bufCounted = bufMessages;
      counted = written;
    } else {
      while (counted < written) {
        int size = recordSize(counted);
        if (counted + size > written) {
          break;
        }
        if (isMessage(counted)) {
          messagesWritten.addOwned(1);
          bufCounted++;
        }
        counted += size;
      }
    }
    torn.setOwned(counted < written ? 1 : 0);
    publishPending();
  }

  private int recordSize(int p) {
    int first = buf.getInt(p);
    if (first == MAGIC) {
      return FrameDescriptor.preambleLength(buf.get(p + FrameDescriptor.CODEC_LENGTH_OFFSET) & 0xFF);
    }
    int flags = buf.get(p + FLAGS_OFFSET) & 0xFF;
    int tagLength = buf.get(p + TAG_LENGTH_OFFSET) & 0xFF;
    int headers = (flags & FLAG_HEADERS) != 0 ? buf.getShort(p + TAG_OFFSET + tagLength) & 0xFFFF : 0;
    return (int) FrameDescriptor.frameLength(flags, tagLength, headers, first);
  }

  private boolean isMessage(int p) {
    return buf.getInt(p) != MAGIC && (buf.get(p + FLAGS_OFFSET) & (FLAG_END_OF_STREAM | FLAG_HEARTBEAT)) == 0;
  }

  /** Moves the records not completely written to the front of buf. */
  private void compact() {
    if (counted == 0) {
      return;
    }
    int from = counted;
    int end = buf.position();
    drainView.limit(end).position(from);
    ByteBuffer dst = buf.duplicate();
    dst.clear();
    dst.put(drainView);
    buf.position(end - from);
    written -= from;
    counted = 0;
    bufMessages -= bufCounted;
    bufCounted = 0;
  }

  private void clearBuffer() {
    if (tail != null || inFrame) {
      return;
    }
    buf.clear();
    written = 0;
    counted = 0;
    bufMessages = 0;
    bufCounted = 0;
    torn.setOwned(0);
    publishPending();
  }

  private void publishPending() {
    pending.setOwned(pendingNow());
  }

  private long pendingNow() {
    return (long) bufMessages - bufCounted + (tail != null ? 1 : 0);
  }

  private boolean isTorn() {
    return counted < written || (tail != null && tail.position() > 0 && tail.hasRemaining());
  }

  private CloseTimeoutException closeTimeout(Deadline deadline, InterruptedIOException cause) {
    if (cause != null) {
      Thread.currentThread().interrupt();
    }
    return new CloseTimeoutException(deadline.timeout(), messagesWritten.get(), pendingNow(), isTorn(), cause);
  }

  private IOException fail(IOException e) {
    if (failure == null) {
      failure = e;
      pending.setOwned(acceptedPending()); // what will never be written now
    }
    close();
    return failure;
  }

  /** Accepted messages not completely written: without a frame whose commit has not returned yet. */
  private long acceptedPending() {
    return pendingNow() - (committing ? 1 : 0);
  }

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  // ---------------------------------------------------------------- headers and payload

  private byte[] headerBlock(Headers headers) throws MessageTooLongException {
    if (headers == null || headers.isEmpty()) {
      return null;
    }
    if (version != WireVersion.V1_1) {
      throw new IllegalStateException("headers need wire format 1.1; this sender writes " + version);
    }
    HeaderList list = headers instanceof HeaderList ? (HeaderList) headers : (HeaderList) headers.copy();
    if (list.size() > FrameDescriptor.MAX_HEADER_ENTRIES) {
      throw new MessageTooLongException(list.size(), FrameDescriptor.MAX_HEADER_ENTRIES, MessageTooLongException.Limit.HEADERS);
    }
    int longest = list.longestValue();
    if (longest > FrameDescriptor.MAX_HEADER_VALUE_LENGTH) {
      throw new MessageTooLongException(longest, FrameDescriptor.MAX_HEADER_VALUE_LENGTH, MessageTooLongException.Limit.HEADERS);
    }
    byte[] block = list.block();
    if (block == null || block.length > FrameDescriptor.MAX_HEADERS_LENGTH) {
      throw new MessageTooLongException(block == null ? Long.MAX_VALUE : block.length, FrameDescriptor.MAX_HEADERS_LENGTH,
          MessageTooLongException.Limit.HEADERS);
    }
    return block;
  }

  private int payloadLength() {
    return (overflowing ? overflow.position() : buf.position()) - payloadStart;
  }

  private void checkLimit(int more) throws MessageTooLongException {
    if (!inFrame) {
      throw new IllegalStateException("payload written outside a frame");
    }
    long after = (long) payloadLength() + more;
    if (after > maxFrameLength) {
      throw new MessageTooLongException(after, maxFrameLength, MessageTooLongException.Limit.FRAME);
    }
  }

  /** Moves the frame begun in buf to the overflow buffer, with room for {@code more} payload bytes. */
  private void spill(int more) {
    int have = buf.position() - frameStart;
    ByteBuffer o = overflowBuffer(have + more + CHECKSUM_LENGTH);
    drainView.limit(buf.position()).position(frameStart);
    o.put(drainView);
    buf.limit(buf.capacity());
    buf.position(frameStart);
    payloadStart = payloadStart - frameStart;
    frameStart = 0;
    overflow = o;
    overflowing = true;
  }

  /** An empty overflow buffer of at least {@code size} bytes. */
  private ByteBuffer overflowBuffer(int size) {
    ByteBuffer o = spareOverflow;
    if (o == null || o.capacity() < size) {
      int cap = Math.max(size, 8192);
      o = ByteBuffer.allocate(cap);
    }
    spareOverflow = null;
    o.clear();
    return o;
  }

  /** Grows the overflow buffer to take {@code more} bytes after its position. */
  private ByteBuffer growOverflow(int more) {
    ByteBuffer o = overflow;
    long need = (long) o.position() + more + CHECKSUM_LENGTH;
    if (o.capacity() >= need) {
      return o;
    }
    long cap = Math.max(need, Math.min(2L * o.capacity(), (long) maxFrameLength + 65_536 + CHECKSUM_LENGTH));
    if (cap > Integer.MAX_VALUE - 16) {
      cap = Integer.MAX_VALUE - 16;
    }
    ByteBuffer bigger = ByteBuffer.allocate((int) cap);
    o.flip();
    bigger.put(o);
    overflow = bigger;
    return bigger;
  }

  private void releaseOverflow(ByteBuffer o) {
    if (o == overflow) {
      overflow = null;
    }
    if (o != null && o.capacity() <= RETAIN_OVERFLOW) {
      spareOverflow = o;
    }
  }

  private static byte[] truncatedUtf8(String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= max) {
      return b;
    }
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--; // do not cut a character: back up to its first byte
    }
    return java.util.Arrays.copyOf(b, end);
  }

  /** The payload sink handed to codecs: straight into buf, spilling into the overflow buffer. */
  private final class Payload extends PayloadSink {
    private final OutputStream stream = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        target(1).put((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Payload.this.write(b, off, len);
      }
    };

    @Override
    public ByteBuffer room(int bytes) throws IOException {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative room: " + bytes);
      }
      return target(bytes);
    }

    /** The buffer to write {@code n} more payload bytes to, after checking the limit. */
    private ByteBuffer target(int n) throws IOException {
      checkLimit(n);
      if (!overflowing) {
        if (buf.position() + n <= payloadLimit) {
          return buf;
        }
        spill(n);
      }
      if (overflow.remaining() < n + CHECKSUM_LENGTH) {
        growOverflow(n);
      }
      return overflow;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      target(len).put(b, off, len);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
      target(src.remaining()).put(src);
    }

    @Override
    public OutputStream asOutputStream() {
      return stream;
    }

    @Override
    public int written() {
      return inFrame ? payloadLength() : 0;
    }
  }

  /**
   * Bounds a close over a blocking channel, whose writes the deadline cannot interrupt: the scheduler
   * closes the channel when the deadline passes, which ends a blocked write (an interruptible channel
   * throws {@link java.nio.channels.AsynchronousCloseException}).
   */
  private static final class Watchdog {
    private static final Watchdog NONE = new Watchdog(null);
    private final java.util.concurrent.ScheduledFuture<?> task;
    private volatile boolean fired;

    private Watchdog(ByteStreamSink sink, Deadline deadline) {
      this.task = Scheduler.schedule(() -> {
        fired = true;
        sink.close();
      }, deadline.remainingNanos());
    }

    private Watchdog(Void none) {
      this.task = null;
    }

    static Watchdog over(ByteStreamSink sink, boolean blocking, Deadline deadline) {
      return blocking && !deadline.isNone() ? new Watchdog(sink, deadline) : NONE;
    }

    boolean fired() {
      return fired;
    }

    void cancel() {
      if (task != null) {
        task.cancel(false);
      }
    }
  }

  private final class Counters implements SinkCounters {
    @Override
    public long messagesWritten() {
      return messagesWritten.get();
    }

    @Override
    public long bytesWritten() {
      return bytesWritten.get();
    }

    @Override
    public long messagesPending() {
      return pending.get();
    }

    @Override
    public boolean frameTorn() {
      return torn.get() != 0;
    }

    @Override
    public long backPressureWaits() {
      return waits.get();
    }

    @Override
    public long backPressureNanos() {
      return waitNanos.get();
    }
  }
}
