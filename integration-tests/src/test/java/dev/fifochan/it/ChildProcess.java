package dev.fifochan.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process started by a test: stdout is captured line by line (tests wait for lines such as
 * {@code READY}), stderr is captured whole; both are shown in every failure message. Always
 * destroyed by {@link Processes#close()}.
 */
final class ChildProcess {
  private final String name;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private final Thread outPump;
  private final Thread errPump;
  private int consumed;

  ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.outPump = pump(process.getInputStream(), name + "-stdout", this::addLine);
    this.errPump = pump(process.getErrorStream(), name + "-stderr", line -> {
      synchronized (stderr) {
        stderr.append(line).append('\n');
      }
    });
  }

  private interface LineSink {
    void accept(String line);
  }

  private static Thread pump(InputStream in, String threadName, LineSink sink) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.accept(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void addLine(String line) {
    synchronized (stdout) {
      stdout.add(line);
      stdout.notifyAll();
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the next stdout line (after those already consumed) that matches, consuming it and the
   * lines before it. Fails with the child's output if the child exits first or the time runs out.
   */
  String awaitLine(Predicate<String> matcher, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stdout) {
      while (true) {
        while (consumed < stdout.size()) {
          String line = stdout.get(consumed++);
          if (matcher.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout + " waiting for a line from " + describe());
        }
        if (!process.isAlive() && !outPump.isAlive()) {
          throw new AssertionError("child exited before printing the expected line: " + describe());
        }
        try {
          stdout.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting for " + name, e);
        }
      }
    }
  }

  String awaitLine(String prefix, Duration timeout) {
    return awaitLine(l -> l.startsWith(prefix), timeout);
  }

  /** Waits until the child exits and its output is fully read; fails (after killing it) on timeout. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new AssertionError("child did not exit within " + timeout + ": " + describe());
      }
      outPump.join(5_000);
      errPump.join(5_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + name, e);
    }
  }

  /** SIGKILL (Process.destroyForcibly on Linux) and wait until it is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a signal ({@code STOP}, {@code CONT}, ...) with kill(1) and waits for kill(1) to finish. */
  void signal(String name) {
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " + describe());
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run kill(1)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted signalling " + name, e);
    }
  }

  void sendLine(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  List<String> stdoutLines() {
    synchronized (stdout) {
      return new ArrayList<>(stdout);
    }
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  String describe() {
    String exit = process.isAlive() ? "running" : "exit " + process.exitValue();
    List<String> out = stdoutLines();
    List<String> tail = out.subList(Math.max(0, out.size() - 20), out.size());
    String err = stderr();
    if (err.length() > 4000) {
      err = "..." + err.substring(err.length() - 4000);
    }
    return name + " (pid " + process.pid() + ", " + exit + ")\n  stdout (last " + tail.size() + " of " + out.size()
        + " lines): " + tail + "\n  stderr: " + err;
  }
}
