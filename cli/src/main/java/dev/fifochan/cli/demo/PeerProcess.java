package dev.fifochan.cli.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's second process: a child JVM started with the same java binary and class path, running
 * the hidden {@code demo-peer} subcommand. Its stdin is a pipe from this process, so it sees end of
 * file, and exits, whenever this process ends, however it ends. Its stdout is discarded (this
 * process's stdout carries only the demo's own output); its stderr is shared.
 */
final class PeerProcess {
  private final Process process;

  private PeerProcess(Process process) {
    this.process = process;
  }

  /** Starts the peer for {@code ws} with {@code plan}. */
  static PeerProcess start(Workspace ws, List<Phase> plan, Duration timeout) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.fifochan.cli.Main");
    command.add("demo-peer");
    command.add("--requests=" + ws.requests());
    command.add("--replies=" + ws.replies());
    command.add("--plan=" + Phase.plan(plan));
    command.add("--timeout=" + timeout.toMillis() + "ms");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    return new PeerProcess(pb.start());
  }

  /** The java binary running this JVM. */
  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Runs {@code action} if the peer exits with a non-zero status (it exits 0 only after its last phase). */
  void onFailure(Runnable action) {
    process.onExit().thenAccept(p -> {
      if (p.exitValue() != 0) {
        action.run();
      }
    });
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the peer to exit on its own; returns its status, or -1 if it did not in time. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return -1;
    }
    return process.exitValue();
  }

  /** Its exit status, or -1 while it runs. */
  int exitStatus() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /**
   * Ends the peer: closes its stdin (it exits by itself), then SIGTERM, then SIGKILL, waiting a
   * little after each. Returns true once it is gone. Safe from a shutdown hook.
   */
  boolean stop() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    try {
      if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
        return true;
      }
      process.destroy();
      if (process.waitFor(2, TimeUnit.SECONDS)) {
        return true;
      }
      process.destroyForcibly();
      return process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
