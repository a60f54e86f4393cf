package dev.fifochan.cli;

import dev.fifochan.ChannelConfig;
import dev.fifochan.WireVersion;
import picocli.CommandLine.Option;

/**
 * The options of every command that writes a stream ({@code send}, {@code tee}'s output): checksums,
 * fan-in and the wire format version.
 */
public final class WriterOptions {
  @Option(names = "--checksum", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = {"Append a CRC-32C to every frame (default: on). A reader then refuses a torn or spliced frame"
          + " (e.g. from a second writer on the same FIFO) instead of delivering it; --no-checksum saves 4 bytes a frame."})
  boolean checksum = true;

  @Option(names = "--fan-in",
      description = "Share the FIFO with other writers: every record goes into the pipe in one atomic write of at most"
          + " 4096 bytes (PIPE_BUF), so writers cannot interleave inside a frame; a longer message is refused.")
  boolean fanIn;

  @Option(names = "--wire-version", paramLabel = "1.1|1.0", converter = WireVersionConverter.class, defaultValue = "1.1",
      description = "Wire format to write (default: ${DEFAULT-VALUE}). 1.0 writes what fifochan 0.1 reads: no headers,"
          + " heartbeats or aborted ends (a failed writer looks truncated).")
  WireVersion wireVersion;

  /** Whether checksums are written. */
  public boolean checksum() {
    return checksum;
  }

  /** Whether the FIFO is shared with other writers. */
  public boolean fanIn() {
    return fanIn;
  }

  /** The wire format version to write. */
  public WireVersion wireVersion() {
    return wireVersion;
  }

  /** A configuration builder with these options applied. */
  public ChannelConfig.Builder apply(ChannelConfig.Builder b) {
    return b.checksum(checksum).wireVersion(wireVersion);
  }
}
