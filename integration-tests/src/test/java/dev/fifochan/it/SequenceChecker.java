package dev.fifochan.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that each writer's messages arrive in order with nothing missing or duplicated: writer w's
 * next message must have seq {@code next(w)}. Gaps can be allowed (recorded) for tests in which a
 * message is expected to be missing.
 */
final class SequenceChecker {
  private final Map<Integer, Long> next = new HashMap<>();
  private final boolean allowGaps;
  private final List<String> gaps = new ArrayList<>();
  private long total;

  SequenceChecker(boolean allowGaps) {
    this.allowGaps = allowGaps;
  }

  SequenceChecker() {
    this(false);
  }

  void accept(Messages.Id id) {
    long expected = next.getOrDefault(id.writer(), 0L);
    if (id.seq() != expected) {
      if (!allowGaps || id.seq() < expected) {
        throw new AssertionError("writer " + id.writer() + ": expected seq " + expected + " but got " + id.seq()
            + (id.seq() < expected ? " (duplicate or reordered)" : " (messages lost)") + " after " + total + " messages");
      }
      gaps.add(id.writer() + ":" + expected + ".." + (id.seq() - 1));
    }
    next.put(id.writer(), id.seq() + 1);
    total++;
  }

  /** The seq the given writer's next message must have (= how many of its messages arrived, without gaps). */
  long next(int writer) {
    return next.getOrDefault(writer, 0L);
  }

  long total() {
    return total;
  }

  List<String> gaps() {
    return gaps;
  }

  Map<Integer, Long> perWriter() {
    return new HashMap<>(next);
  }
}
