package dev.fifochan.it.nats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process driven by lines: stdout is collected and waited on line by line (never a fixed sleep),
 * stdin takes commands, stderr is kept for failure messages. {@link #close()} SIGKILLs it.
 */
final class LineProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> out = new ArrayList<>();
  private final StringBuilder err = new StringBuilder();
  private int next;

  private LineProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    collect(process.getInputStream(), true);
    collect(process.getErrorStream(), false);
  }

  /** Starts {@code command} and waits for its READY line. */
  static LineProcess start(String name, List<String> command) throws IOException {
    LineProcess p = new LineProcess(name, new ProcessBuilder(command).start());
    p.await("READY", Duration.ofSeconds(60));
    return p;
  }

  /** Starts {@code mainClass} in a child JVM on this test's class path. */
  static LineProcess java(String name, Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(List.of(args));
    return start(name, cmd);
  }

  private void collect(java.io.InputStream in, boolean stdout) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (stdout) {
            synchronized (out) {
              out.add(line);
              out.notifyAll();
            }
          } else {
            synchronized (err) {
              err.append(line).append('\n');
            }
          }
        }
      } catch (IOException e) {
        // gone
      }
    }, name + (stdout ? "-out" : "-err"));
    t.setDaemon(true);
    t.start();
  }

  /** The next line (after those already taken) that starts with {@code prefix}; the lines before it are taken too. */
  String await(String prefix, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (out) {
      while (true) {
        while (next < out.size()) {
          String l = out.get(next++);
          if (l.startsWith(prefix)) {
            return l;
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no line '" + prefix + "' within " + timeout + " from " + this);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(out, Math.min(left, 50_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** SIGKILL, and wait until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  @Override
  public String toString() {
    List<String> lines;
    synchronized (out) {
      lines = new ArrayList<>(out.subList(Math.max(0, out.size() - 20), out.size()));
    }
    String e;
    synchronized (err) {
      e = err.length() > 3000 ? "..." + err.substring(err.length() - 3000) : err.toString();
    }
    return name + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")") + ", last lines " + lines
        + ", stderr: " + e;
  }
}
