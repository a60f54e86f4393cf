package dev.fifochan.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LatenciesTest {
  @Test
  void nearestRankPercentiles() {
    Latencies l = new Latencies(100);
    for (int i = 100; i >= 1; i--) {
      l.add(i);
    }
    assertEquals(50, l.percentile(50));
    assertEquals(99, l.percentile(99));
    assertEquals(100, l.percentile(100));
    assertEquals(0, new Latencies(1).percentile(50));
  }

  @Test
  void planRoundTrips() {
    List<Phase> plan = List.of(new Phase("json", Phase.Kind.echo), new Phase("protobuf", Phase.Kind.sink));
    assertEquals("json:echo,protobuf:sink", Phase.plan(plan));
    assertEquals(plan, Phase.parsePlan("json:echo,protobuf:sink"));
  }
}
