package dev.fifochan.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command in this JVM with captured streams (for tests that need no second process). */
final class InProcess {
  final int exitCode;
  final String out;
  final String err;

  private InProcess(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  static InProcess run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new InProcess(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static InProcess of(int exitCode, String out, String err) {
    return new InProcess(exitCode, out, err);
  }

  static InProcess run(String... args) {
    return run(new byte[0], args);
  }

  /** The repository root (surefire and failsafe set FIFOCHAN_REPO_ROOT). */
  static Path repoRoot() {
    String root = System.getenv("FIFOCHAN_REPO_ROOT");
    if (root == null) {
      throw new IllegalStateException("FIFOCHAN_REPO_ROOT is not set (run the tests with Maven)");
    }
    return Path.of(root);
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
