package dev.fifochan.internal;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Deadline;
import dev.fifochan.Headers;
import dev.fifochan.StreamException;
import dev.fifochan.spi.InspectedRecord;
import dev.fifochan.spi.StreamInspector;
import dev.fifochan.spi.StreamOutcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** {@link StreamInspector} over a {@link ByteStreamSource} that accepts every codec. */
public final class ByteStreamInspector implements StreamInspector {
  private final ByteStreamSource source;
  private StreamOutcome outcome;

  /**
   * @param channel the stream
   * @param maxFrameLength the largest payload accepted
   */
  public ByteStreamInspector(ReadableByteChannel channel, int maxFrameLength) {
    ChannelConfig config = ChannelConfig.builder().maxFrameLength(maxFrameLength).bufferSize(64 * 1024).build();
    this.source = new ByteStreamSource(channel, config, null, "bytes", null);
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
      outcome = new StreamOutcome(StreamOutcome.Status.ERROR, e.position(), e, null);
      return null;
    }
    if (r == null) {
      throw new IllegalStateException("a read without a deadline returned nothing");
    }
    switch (r.kind()) {
      case SESSION_START:
        return new InspectedRecord(InspectedRecord.Kind.PREAMBLE, r.position(), r.wireLength(),
            r.wireVersion().versionByte(), r.codecName(), 0, "", Headers.empty(), null, null, null);
      case FRAME:
        return new InspectedRecord(InspectedRecord.Kind.FRAME, r.position(), r.wireLength(), 0, null, r.flags(), r.tag(),
            r.headers().copy(), bytes(r.payload()), null, r.malformation());
      case SESSION_END:
        if (r.abortReason() != null) {
          return new InspectedRecord(InspectedRecord.Kind.ABORTED, r.position(), r.wireLength(), 0, null, r.flags(), "",
              Headers.empty(), bytes(r.payload()), r.abortReason(), null);
        }
        return new InspectedRecord(InspectedRecord.Kind.END, r.position(), r.wireLength(), 0, null, r.flags(), "",
            Headers.empty(), null, null, null);
      case HEARTBEAT:
        return new InspectedRecord(InspectedRecord.Kind.HEARTBEAT, r.position(), r.wireLength(), 0, null, r.flags(), "",
            Headers.empty(), null, null, null);
      default:
        outcome = r.abortReason() != null
            ? new StreamOutcome(StreamOutcome.Status.ABORTED, r.position(), null, r.abortReason())
            : new StreamOutcome(StreamOutcome.Status.CLEAN, r.position(), null, null);
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
