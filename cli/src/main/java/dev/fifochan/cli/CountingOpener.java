package dev.fifochan.cli;

import dev.fifochan.SourceOpener;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link SourceOpener} whose channels count the bytes read, for {@code recv --follow}. The timed
 * {@code open} is delegated, so that a following receiver's timed {@code poll} keeps
 * bounding its wait for the next writer.
 */
public final class CountingOpener implements SourceOpener {
  private final SourceOpener opener;
  private final LongAdder bytes;
  private final String name;

  /** Counts into {@code bytes} what comes through the channels {@code opener} opens; {@code name} names them. */
  public CountingOpener(SourceOpener opener, LongAdder bytes, String name) {
    this.opener = opener;
    this.bytes = bytes;
    this.name = name;
  }

  @Override
  public ReadableByteChannel open(long timeoutNanos) throws IOException {
    ReadableByteChannel channel = opener.open(timeoutNanos);
    return channel == null ? null : new CountingReadChannel(channel, bytes, name);
  }

  @Override
  public void close() throws IOException {
    opener.close();
  }
}
