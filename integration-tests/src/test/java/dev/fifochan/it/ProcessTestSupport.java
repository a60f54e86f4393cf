package dev.fifochan.it;

import dev.fifochan.ChannelConfig;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the cross-process tests: a temp directory for FIFOs and child processes that never outlive a test. */
abstract class ProcessTestSupport {
  /** A fresh directory per test (mode 0700, so the transport's path checks accept it). */
  @TempDir
  Path dir;

  final Processes procs = new Processes();
  private final java.util.List<AutoCloseable> toClose = new java.util.ArrayList<>();

  /** Closes {@code c} after the test (if the test does not close it first). */
  <C extends AutoCloseable> C closeAfterTest(C c) {
    toClose.add(c);
    return c;
  }

  @AfterEach
  void destroyChildProcesses(org.junit.jupiter.api.TestInfo test) {
    // Logged to the test's output file (target/surefire-reports/*-output.txt) for diagnosis.
    System.out.println("=== children of " + test.getDisplayName() + " at the end of the test:\n" + procs.describeAll());
    procs.close();
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** An integer knob: {@code -Dname=value} on the Maven command line, else the CI-sized default. */
  static int knob(String name, int ciDefault) {
    return Integer.getInteger(name, ciDefault);
  }

  static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  static final Duration OPEN = Duration.ofSeconds(20);
  static final Duration CHILD_START = Duration.ofSeconds(30);
  /** PIPE_BUF on Linux: the largest write the kernel never interleaves with another writer's. */
  static final int PIPE_BUF = 4096;
  /** A {@code bytes} preamble: magic (4), version (1), codec-len (1), "bytes" (5). The same in 1.0 and 1.1. */
  static final long BYTES_PREAMBLE = 6 + "bytes".length();

  /** The core defaults. */
  static ChannelConfig.Builder config() {
    return ChannelConfig.builder();
  }

  /** FIFO defaults with a 20 s open timeout. */
  static FifoOptions.Builder options() {
    return FifoOptions.builder().openTimeout(OPEN);
  }

  Path fifo(String name) throws IOException {
    return Fifo.create(dir.resolve(name));
  }

  static Receiver<Object> openReceiver(Path fifo, Messages.Kind kind, ChannelConfig cfg, FifoOptions opts)
      throws IOException {
    return Fifo.openReceiver(fifo, Messages.codec(kind), cfg, opts);
  }

  static Sender<Object> openSender(Path fifo, Messages.Kind kind, ChannelConfig cfg, FifoOptions opts) throws IOException {
    return Fifo.openSender(fifo, Messages.codec(kind), cfg, opts);
  }

  /** A receiver with the core defaults and the FIFO defaults of {@link #options()}, following or not. */
  static Receiver<Object> openReceiver(Path fifo, Messages.Kind kind, boolean follow) throws IOException {
    return openReceiver(fifo, kind, config().build(), options().follow(follow).build());
  }

  /** Receives until a clean end of stream, checking every message; returns the checker. */
  static SequenceChecker receiveAll(Receiver<Object> r, Messages.Kind kind, int size) throws IOException {
    SequenceChecker checker = new SequenceChecker();
    Object m;
    while ((m = r.receive()) != null) {
      checker.accept(Messages.check(kind, m, size));
    }
    return checker;
  }
}
