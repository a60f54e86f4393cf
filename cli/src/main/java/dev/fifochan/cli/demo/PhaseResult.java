package dev.fifochan.cli.demo;

/**
 * What one phase of the demo measured.
 *
 * @param codec "json" or "protobuf"
 * @param kind round trip (echo) or one-way burst (sink)
 * @param messages messages sent (and, for a round trip, received back)
 * @param bytes wire bytes in both directions
 * @param nanos wall time of the measured part
 * @param latencies round-trip times (round trips only, else null)
 * @param cleanEnds clean ends of stream seen by the demo itself on the replies FIFO
 */
public record PhaseResult(String codec, Phase.Kind kind, long messages, long bytes, long nanos,
    Latencies latencies, int cleanEnds) {

  /** Messages per second. */
  public double rate() {
    return messages / Math.max(1e-9, nanos / 1e9);
  }

  /** Bytes per second. */
  public double byteRate() {
    return bytes / Math.max(1e-9, nanos / 1e9);
  }
}
