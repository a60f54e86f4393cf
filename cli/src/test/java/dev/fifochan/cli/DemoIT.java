package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fifochan demo} with the real jar: it completes and reports, and leaves no FIFO, temporary
 * directory or child process behind, also when interrupted; its peer dies with it.
 */
class DemoIT {
  @TempDir
  Path dir;

  /** The demo's java.io.tmpdir: whatever it creates there must be gone at the end. */
  private Path tmp() throws IOException {
    return Files.createDirectories(dir.resolve("tmp"));
  }

  private Jar.Run demo(Path tmp, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    return Jar.start(dir, null, List.of("-Djava.io.tmpdir=" + tmp), all);
  }

  private static List<Path> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.collect(Collectors.toList());
    }
  }

  @Test
  @Timeout(300)
  void runsOnDefaultsPrintsTheSummaryAndLeavesNothingBehind() throws Exception {
    Path tmp = tmp();
    Jar.Run run = demo(tmp).await(Duration.ofSeconds(280));
    String out = run.out();
    assertEquals(0, run.exitCode(), run + "\n--- stdout\n" + out);
    for (String codec : new String[] {"json", "protobuf"}) {
      assertTrue(Pattern.compile("(?m)^" + codec + " +round trip +20\\.0 k .* msg/s .* / .*s$").matcher(out).find(), out);
      assertTrue(Pattern.compile("(?m)^" + codec + " +burst +300\\.0 k .* msg/s").matcher(out).find(), out);
    }
    assertTrue(out.contains("40.0 k calls answered; clean end of stream on 4 of 4 streams; peer exited 0; FIFOs and temporary"
        + " directory removed"), out);
    Matcher m = Pattern.compile("peer pid (\\d+) over FIFOs in (\\S+)").matcher(out);
    assertTrue(m.find(), out);
    long peer = Long.parseLong(m.group(1));
    assertFalse(ProcessHandle.of(peer).map(ProcessHandle::isAlive).orElse(false), "peer " + peer + " still runs");
    assertFalse(Files.exists(Path.of(m.group(2))), "demo directory left behind: " + m.group(2));
    assertEquals(List.of(), list(tmp), "nothing may be left in java.io.tmpdir");
    assertEquals("", run.err(), "no progress when stderr is not a terminal");
  }

  /** Starts a long demo and waits until its FIFOs exist and its peer runs. */
  private ProcessHandle startedPeer(Jar.Run run, Path tmp) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      List<ProcessHandle> children = run.process.children().collect(Collectors.toList());
      List<Path> dirs = list(tmp);
      if (!children.isEmpty() && dirs.size() == 1 && Files.exists(dirs.get(0).resolve("requests"))) {
        Thread.sleep(1500); // let the exchange get going
        return children.get(0);
      }
      assertTrue(run.process.isAlive(), "demo ended early: " + run);
      Thread.sleep(50);
    }
    fail("demo did not start its peer: " + run);
    return null;
  }

  private static void signal(String sig, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
  }

  @Test
  @Timeout(300)
  void ctrlCRemovesTheFifosTheDirectoryAndThePeer() throws Exception {
    Path tmp = tmp();
    Jar.Run run = demo(tmp, "--round-trips", "100000000");
    ProcessHandle peer = startedPeer(run, tmp);
    signal("INT", run.process.pid());
    run.await(Duration.ofSeconds(60));
    assertEquals(ExitCode.INTERRUPTED.code(), run.exitCode(), run.toString());
    assertTrue(peer.onExit().get(30, TimeUnit.SECONDS) != null);
    assertFalse(peer.isAlive(), "peer survived Ctrl-C");
    assertEquals(List.of(), list(tmp), "Ctrl-C left files behind");
  }

  @Test
  @Timeout(300)
  void peerExitsWhenTheDemoIsKilled() throws Exception {
    Path tmp = tmp();
    Jar.Run run = demo(tmp, "--round-trips", "100000000");
    ProcessHandle peer = startedPeer(run, tmp);
    signal("KILL", run.process.pid());
    run.await(Duration.ofSeconds(60));
    peer.onExit().get(30, TimeUnit.SECONDS);
    assertFalse(peer.isAlive(), "peer outlived its parent");
    // SIGKILL runs no cleanup: the private directory stays, with nothing in it but the two FIFOs.
    for (Path d : list(tmp)) {
      try (Stream<Path> s = Files.list(d)) {
        s.forEach(p -> p.toFile().delete());
      }
      Files.delete(d);
    }
  }

  @Test
  @Timeout(300)
  void peerDeathEndsTheDemoAtOnceWithThePeerGoneCode() throws Exception {
    Path tmp = tmp();
    Jar.Run run = demo(tmp, "--round-trips", "100000000", "--timeout", "2m");
    ProcessHandle peer = startedPeer(run, tmp);
    long killed = System.nanoTime();
    signal("KILL", peer.pid());
    run.await(Duration.ofSeconds(60));
    assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(30), "the demo waited for its timeout");
    assertEquals(ExitCode.PEER_GONE.code(), run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("fifochan demo: demo peer (pid " + peer.pid() + ") exited with status 137"), run.err());
    assertEquals(List.of(), list(tmp), "files left behind");
  }
}
