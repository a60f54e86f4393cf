package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help and usage errors, in-process. */
@Timeout(30)
class CommandLineTest {

  @ParameterizedTest
  @ValueSource(strings = {"send", "recv", "inspect", "mkfifo", "demo"})
  void everySubcommandHasHelpWithExamplesAndExitCodes(String command) {
    InProcess r = InProcess.run(command, "--help");
    assertEquals(0, r.exitCode, r.toString());
    assertTrue(r.out.contains("Usage: fifochan " + command), r.out);
    assertTrue(r.out.contains("Examples:"), r.out);
    assertTrue(r.out.contains("Exit codes:"), r.out);
    for (ExitCode c : ExitCode.values()) {
      assertTrue(r.out.contains(String.format("%3d", c.code())), "exit code " + c + " listed: " + r.out);
    }
    assertEquals("", r.err);
  }

  @Test
  void topLevelHelpListsSubcommandsButNotTheHiddenPeer() {
    InProcess r = InProcess.run("--help");
    assertEquals(0, r.exitCode);
    for (String c : new String[] {"send", "recv", "inspect", "mkfifo", "demo"}) {
      assertTrue(r.out.contains("  " + c), r.out);
    }
    assertFalse(r.out.contains("demo-peer"), r.out);
  }

  @Test
  void unknownOptionIsAUsageError() {
    InProcess r = InProcess.run("recv", "--bogus", "/tmp/x");
    assertEquals(2, r.exitCode);
    assertEquals("fifochan recv: Unknown option: '--bogus' (see 'fifochan recv --help')\n", r.err);
    assertEquals("", r.out);
  }

  @Test
  void missingSubcommandOrArgumentIsAUsageErrorInOneLine() {
    InProcess none = InProcess.run();
    assertEquals(2, none.exitCode);
    assertEquals("fifochan: missing subcommand: one of send, recv, inspect, tee, call, serve, bridge, mkfifo, demo, generate-completion (see 'fifochan --help')\n", none.err);
    InProcess send = InProcess.run("send");
    assertEquals(2, send.exitCode);
    assertEquals("fifochan send: Missing required parameter: 'FIFO' (see 'fifochan send --help')\n", send.err);
  }

  @Test
  void badDurationIsAUsageErrorWithExamples() {
    InProcess r = InProcess.run("recv", "--timeout", "5", "/tmp/x");
    assertEquals(2, r.exitCode);
    assertTrue(r.err.contains("invalid duration '5'"), r.err);
    assertTrue(r.err.contains("500ms"), r.err);
  }

  @Test
  void contradictoryCodecOptionsAreUsageErrors() {
    assertEquals(2, InProcess.run("send", "--codec", "protobuf", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("send", "--codec", "string", "--type", "a", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("send", "--codec", "json", "--type", "a,b", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("send", "--codec", "json", "--descriptor-set", "x.desc", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("send", "--codec", "yaml", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("recv", "--count", "-1", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("recv", "--codec", "json", "--type", "a", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("mkfifo", "--mode", "999", "/tmp/x").exitCode);
    assertEquals(2, InProcess.run("demo", "--codec", "xml").exitCode);
  }

  @Test
  void descriptorSetThatIsNotOneIsNamed() {
    InProcess r = InProcess.run("recv", "--codec", "protobuf", "--descriptor-set", "/nonexistent.desc", "/tmp/x");
    assertEquals(1, r.exitCode, r.toString());
    assertTrue(r.err.startsWith("fifochan recv: /nonexistent.desc: "), r.err);
  }
}
