package dev.fifochan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Turns values of one type (or one family of types) into frame payloads and back.
 *
 * <p>A codec has a stable {@link #name()} that writers announce in their stream preamble; a reader
 * refuses a stream whose codec it does not {@link #accepts(String) accept}. A codec that carries
 * several types on one channel names each value's type with a {@link #tagOf(Object) type tag}.
 *
 * <p>Implementations must be thread-safe. Exceptions thrown by {@code encode} and {@code decode} are
 * wrapped into {@link EncodeException} and {@link DecodeException} by the sender and receiver.
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {

  /** The codec's stable name, 1 to 64 printable ASCII characters, e.g. {@code "json"}. */
  String name();

  /** Whether this codec can read payloads a writer produced with the codec named {@code writerCodec}. */
  default boolean accepts(String writerCodec) {
    return name().equals(writerCodec);
  }

  /** The type tag written with {@code value}: "" (the default) on a single-type channel, at most 255 UTF-8 bytes. */
  default String tagOf(T value) {
    return "";
  }

  /**
   * Writes the encoding of {@code value} to {@code out}. The stream writes straight into the sender's
   * frame buffer; do not close it.
   */
  void encode(T value, OutputStream out) throws IOException;

  /**
   * Decodes one payload. {@code payload} holds exactly the payload bytes between its position and
   * limit; it is read-only and valid only during the call (copy what must outlive it).
   *
   * @param tag the frame's type tag, "" if none
   * @return the value, never null
   * @throws UnknownTypeException if the codec does not know {@code tag}
   */
  T decode(String tag, ByteBuffer payload) throws IOException;
}
