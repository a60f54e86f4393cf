package dev.fifochan;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns values of one type (or one family of types) into frame payloads and back: the service
 * provider interface for codec authors.
 *
 * <p>A codec has a stable {@link #name()} that writers announce in their stream preamble; a reader
 * refuses a stream whose codec it does not {@link #accepts(String) accept}. A codec that carries
 * several types on one channel names each value's type with a {@link #tagOf(Object) type tag}.
 *
 * <p>{@link #encode} writes straight into the sender's frame buffer through a {@link PayloadSink}
 * (no per-message stream or array); {@link #decode} reads from a read-only view of the receiver's
 * buffer that it must not keep. Implementations must be thread-safe. The sender wraps an exception
 * from {@code encode} into {@link EncodeException} (nothing is sent); the receiver wraps one from
 * {@code decode} into {@link DecodeException} with the frame's position (the stream goes on).
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {

  /** The longest type tag, in UTF-8 bytes ({@code docs/wire-format.md} §2.2). */
  int MAX_TAG_LENGTH = 255;

  /** The codec's stable name, 1 to 64 printable ASCII characters, e.g. {@code "json"}. */
  String name();

  /**
   * Whether this codec can read payloads a writer produced with the codec named {@code writerCodec}
   * ({@code docs/wire-format.md} §2.7). The default is equality.
   */
  default boolean accepts(String writerCodec) {
    return name().equals(writerCodec);
  }

  /**
   * The type tag written with {@code value}: "" (the default) on a single-type channel, otherwise at
   * most 255 UTF-8 bytes. Return the same {@code String} instance for the same type where possible:
   * the sender encodes a repeated tag only once.
   */
  default String tagOf(T value) {
    return "";
  }

  /**
   * Writes the payload for {@code value} into {@code sink}: for a known size, {@link PayloadSink#room}
   * and a direct write into the returned buffer; for an array, {@link PayloadSink#write(byte[], int,
   * int)}; for an encoder that writes to streams, {@link PayloadSink#asOutputStream()}. Do not keep
   * the sink or any buffer it returned after this call.
   *
   * @throws IOException or any runtime exception if the value cannot be encoded; the sender reports
   *     it as {@link EncodeException} and nothing is sent ({@link MessageTooLongException} from the
   *     sink passes through unchanged)
   */
  void encode(T value, PayloadSink sink) throws IOException;

  /**
   * Decodes one payload. {@code payload} holds exactly the payload bytes between its position and
   * limit; it is a read-only view of the receiver's buffer, valid only during the call (copy what must
   * outlive it). It may be a heap or a direct buffer.
   *
   * @param tag the frame's type tag, "" if none
   * @return the value, never null
   * @throws UnknownTypeException if the codec does not know {@code tag}
   * @throws IOException or any runtime exception if the payload is not a valid encoding; the receiver
   *     reports it as {@link DecodeException}
   */
  T decode(String tag, ByteBuffer payload) throws IOException;
}
