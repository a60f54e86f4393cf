package dev.fifochan.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child processes of one test. Every process started here is destroyed (SIGKILL) by
 * {@link #close()}, which the test base class calls in {@code @AfterEach}.
 */
final class Processes implements AutoCloseable {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private final List<ChildProcess> children = new ArrayList<>();

  /** Starts {@link PeerMain} in a child JVM (the test's own java and class path). */
  ChildProcess java(String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-Xss512k",
        "-cp", System.getProperty("java.class.path"), PeerMain.class.getName()));
    cmd.addAll(List.of(args));
    return start(name, cmd);
  }

  /** Starts any command with stdout and stderr captured. */
  synchronized ChildProcess start(String name, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(new File(System.getProperty("user.dir")));
    ChildProcess child = new ChildProcess(name, pb.start());
    children.add(child);
    return child;
  }

  /** The state and output of every child, for the test log. */
  synchronized String describeAll() {
    StringBuilder b = new StringBuilder();
    for (ChildProcess c : children) {
      b.append(c.describe()).append('\n');
    }
    return b.toString();
  }

  @Override
  public synchronized void close() {
    for (ChildProcess c : children) {
      c.process().destroyForcibly();
    }
    for (ChildProcess c : children) {
      c.kill();
    }
    children.clear();
  }
}
