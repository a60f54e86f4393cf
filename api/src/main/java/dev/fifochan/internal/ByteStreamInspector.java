package dev.fifochan.internal;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.StreamAbortedException;
import dev.fifochan.StreamException;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamInspector;
import dev.fifochan.spi.StreamOutcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.Predicate;

/** {@link StreamInspector} over a {@link ByteStreamSource} that accepts every codec and goes on after aborted ends. */
public final class ByteStreamInspector implements StreamInspector {
  private final ByteStreamSource source;
  private StreamOutcome outcome;

  /**
   * @param channel the stream
   * @param maxFrameLength the largest payload accepted
   * @param acceptsCodec which writer codecs to accept; null: all
   */
  public ByteStreamInspector(ReadableByteChannel channel, int maxFrameLength, Predicate<String> acceptsCodec) {
    ChannelConfig config = ChannelConfig.builder().maxFrameLength(maxFrameLength).bufferSize(64 * 1024).build();
    this.source = new ByteStreamSource(channel, config, acceptsCodec, "reader", null);
  }

  @Override
  public InspectedRecord next() throws IOException {
    if (outcome != null) {
      return null;
    }
    DecodedRecord r;
    try {
      r = source.nextRecord(Deadline.none());
    } catch (StreamException e) {
      outcome = new StreamOutcome(e.position(), e);
      return null;
    }
    if (r == null) {
      throw new IllegalStateException("a read without a deadline returned nothing");
    }
    switch (r.kind()) {
      case SESSION_START:
        return InspectedRecord.preamble(r.position(), r.wireLength(), r.wireVersion().versionByte(), r.codecName());
      case FRAME:
        return InspectedRecord.frame(r.position(), r.wireLength(), r.flags(), r.rawTag(), r.tag(), r.headers().copy(),
            r.rawHeaderBlock(), bytes(r.payload()), r.malformation());
      case SESSION_END:
        if (r.abortReason() != null) {
          return InspectedRecord.control(InspectedRecord.Kind.ABORTED, r.position(), r.wireLength(), r.flags(),
              bytes(r.payload()), r.abortReason());
        }
        return InspectedRecord.control(InspectedRecord.Kind.END, r.position(), r.wireLength(), r.flags(), null, null);
      case HEARTBEAT:
        return InspectedRecord.control(InspectedRecord.Kind.HEARTBEAT, r.position(), r.wireLength(), r.flags(), null, null);
      default:
        outcome = r.abortReason() != null
            ? new StreamOutcome(r.position(), new StreamAbortedException(r.abortReason(), true, source.firstAbortPosition()))
            : new StreamOutcome(r.position(), null);
        return null;
    }
  }

  @Override
  public StreamOutcome outcome() {
    return outcome;
  }

  @Override
  public void close() {
    source.close();
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
