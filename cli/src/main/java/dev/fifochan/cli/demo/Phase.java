package dev.fifochan.cli.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of the demo, agreed between the demo and its peer by the {@code --plan} argument, e.g.
 * {@code json:echo,json:sink,protobuf:echo,protobuf:sink}.
 *
 * @param codec "json" or "protobuf"
 * @param kind what the peer does with the requests
 */
public record Phase(String codec, Kind kind) {
  /** What the peer does with the requests of a phase. */
  public enum Kind {
    /** Sends every request straight back (round-trip latency). */
    echo,
    /** Counts the requests and acknowledges the count at the end (one-way throughput). */
    sink
  }

  /** Parses a plan. */
  public static List<Phase> parsePlan(String plan) {
    List<Phase> phases = new ArrayList<>();
    for (String step : plan.split(",")) {
      String[] parts = step.split(":");
      if (parts.length != 2) {
        throw new IllegalArgumentException("bad demo plan step '" + step + "': use codec:echo or codec:sink");
      }
      DemoCodec.named(parts[0]);
      phases.add(new Phase(parts[0], Kind.valueOf(parts[1])));
    }
    return phases;
  }

  /** Writes a plan. */
  public static String plan(List<Phase> phases) {
    StringBuilder s = new StringBuilder();
    for (Phase p : phases) {
      s.append(s.length() == 0 ? "" : ",").append(p.codec).append(':').append(p.kind);
    }
    return s.toString();
  }
}
