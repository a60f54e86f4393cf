package dev.fifochan.it.rpc;

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
import java.util.function.Predicate;

/**
 * A child process of the request/response tests (the Go peer or a Java responder JVM): stdout captured
 * line by line (tests wait for lines, never for a fixed time), stderr kept for failure messages, stdin
 * for commands. {@link #close()} kills it with SIGKILL.
 */
final class Child implements AutoCloseable {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private int consumed;

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
  }

  /** Starts {@code command} and waits for its READY line. */
  static Child start(String name, List<String> command) throws IOException {
    Child c = new Child(name, new ProcessBuilder(command).start());
    c.await("READY", Duration.ofSeconds(60));
    return c;
  }

  /** Starts {@link JavaRpcResponder} in a child JVM with {@code args}. */
  static Child java(String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-Xss512k", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), JavaRpcResponder.class.getName()));
    cmd.addAll(List.of(args));
    return start(name, cmd);
  }

  private void pump(BufferedReader r, boolean out) {
    Thread t = new Thread(() -> {
      try (r) {
        String line;
        while ((line = r.readLine()) != null) {
          if (out) {
            synchronized (lines) {
              lines.add(line);
              lines.notifyAll();
            }
          } else {
            synchronized (stderr) {
              stderr.append(line).append('\n');
            }
          }
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    }, name + (out ? "-out" : "-err"));
    t.setDaemon(true);
    t.start();
  }

  /** Waits for the next unconsumed line starting with {@code prefix}; consumes it and those before it. */
  String await(String prefix, Duration timeout) {
    return await(l -> l.startsWith(prefix), timeout, prefix);
  }

  String await(Predicate<String> match, Duration timeout, String what) {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        while (consumed < lines.size()) {
          String l = lines.get(consumed++);
          if (match.test(l)) {
            return l;
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no line '" + what + "' within " + timeout + ": " + describe());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, 50_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  void send(String command) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** SIGKILL, and wait until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  String describe() {
    List<String> l;
    synchronized (lines) {
      l = new ArrayList<>(lines);
    }
    String err;
    synchronized (stderr) {
      err = stderr.length() > 4000 ? "..." + stderr.substring(stderr.length() - 4000) : stderr.toString();
    }
    return name + " pid " + process.pid() + (process.isAlive() ? " running" : " exit " + process.exitValue())
        + "\n  stdout (last 30 of " + l.size() + "): " + l.subList(Math.max(0, l.size() - 30), l.size())
        + "\n  stderr: " + err;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
