package dev.fifochan.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the first-open measurement ({@link FirstOpenTime}, which the benchmark prints with its
 * verdict) working. It asserts no speed: a fresh JVM's first open is timed once and must merely be
 * a sane number.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirstOpenTimeTest {
  @Test
  void theMeasurementRunsInAFreshJvm() throws Exception {
    List<Double> ms = FirstOpenTime.measure(1);
    assertEquals(1, ms.size());
    assertTrue(ms.get(0) > 0 && ms.get(0) < 30_000, "first open took " + ms.get(0) + " ms");
    System.out.printf("first FIFO open in a fresh JVM (one run, not a benchmark): %.1f ms%n", ms.get(0));
  }
}
