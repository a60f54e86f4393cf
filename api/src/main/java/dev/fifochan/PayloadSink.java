package dev.fifochan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Where a {@link Codec} writes one message's payload: the sender's frame buffer, handed to
 * {@link Codec#encode} and valid only during that call (never keep it, or any buffer it returns).
 *
 * <p>Three ways to write, freely mixed within one payload:
 * <ul>
 *   <li>{@link #room(int)} returns a buffer with at least the asked-for number of bytes remaining,
 *       positioned at the payload's next byte; write into it and advance its position by what you
 *       wrote (at most its remaining bytes). This is the zero-copy path for encoders that know the
 *       size (protobuf: {@code room(getSerializedSize())} and
 *       {@code CodedOutputStream.newInstance(buffer)}).</li>
 *   <li>{@link #write(byte[], int, int)} and {@link #write(ByteBuffer)} copy bytes in.</li>
 *   <li>{@link #asOutputStream()}: the same sink as a stream, one reused instance per sink, for
 *       encoders that only write to streams (Jackson).</li>
 * </ul>
 *
 * <p>A payload that outgrows the frame buffer spills into a reused overflow array; codecs do not see
 * the difference. Every method throws {@link MessageTooLongException} (limit
 * {@link MessageTooLongException.Limit#FRAME FRAME}) as soon as the payload would exceed
 * {@link ChannelConfig#maxFrameLength()}. Implemented by transports' frame sinks; not thread-safe.
 */
public abstract class PayloadSink {

  /** For frame sinks. */
  protected PayloadSink() {}

  /**
   * A buffer with at least {@code bytes} remaining, whose position is the payload's next byte. Write
   * into it and advance its position; bytes between the position and the limit are not part of the
   * payload. The buffer (heap or direct, big-endian) is valid until the next call on this sink.
   *
   * @throws MessageTooLongException if the payload would exceed the maximum frame length
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public abstract ByteBuffer room(int bytes) throws IOException;

  /** Appends {@code len} bytes of {@code b} from {@code off}. */
  public abstract void write(byte[] b, int off, int len) throws IOException;

  /** Appends the remaining bytes of {@code src}, advancing its position to its limit. */
  public abstract void write(ByteBuffer src) throws IOException;

  /** Appends all of {@code b}. */
  public final void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  /**
   * This sink as an {@link OutputStream}: the same instance for every message on this sink, so no
   * wrapper is made per message. {@code flush()} and {@code close()} do nothing (the sender decides
   * when to write).
   */
  public abstract OutputStream asOutputStream();

  /** Payload bytes written so far for this message. */
  public abstract int written();
}
