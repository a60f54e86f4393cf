package dev.fifochan.rpc.internal;

import dev.fifochan.Codec;
import dev.fifochan.PayloadSink;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The user's codec, plus {@link #CONTROL}: a value that is sent as a frame with no tag and an empty
 * payload (the protocol's control frames carry only headers). Senders of both sides use it, so control
 * frames and messages travel through one {@link dev.fifochan.Sender} in one order.
 */
public final class ControlCodec implements Codec<Object> {
  /** The value of a control frame: no tag, empty payload. */
  public static final Object CONTROL = new Object() {
    @Override
    public String toString() {
      return "CONTROL";
    }
  };

  private final Codec<Object> codec;

  @SuppressWarnings("unchecked")
  public ControlCodec(Codec<?> codec) {
    this.codec = (Codec<Object>) codec;
  }

  @Override
  public String name() {
    return codec.name();
  }

  @Override
  public boolean accepts(String writerCodec) {
    return true; // the handshake compares codecs; the transport accepts any preamble
  }

  @Override
  public String tagOf(Object value) {
    return value == CONTROL ? "" : codec.tagOf(value);
  }

  @Override
  public void encode(Object value, PayloadSink sink) throws IOException {
    if (value != CONTROL) {
      codec.encode(value, sink);
    }
  }

  @Override
  public Object decode(String tag, ByteBuffer payload) throws IOException {
    return codec.decode(tag, payload);
  }
}
