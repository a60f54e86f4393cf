package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Each command's help describes its own options: no option text borrowed from another command.
 * (The black-box {@code HelpIT} renders every help text and checks that picocli warns about none.)
 */
@Timeout(30)
class HelpTextTest {
  /** Options that mean the same wherever they appear, so they may share one text. */
  private static final Set<String> SAME_EVERYWHERE = Set.of(
      "--help", "--version", "--verbose", "--progress", "--create", "--mode", "--codec", "--descriptor-set");

  /** The standard streams each command uses for data; its help may mention only those. */
  private static final Map<String, Set<String>> STREAMS = Map.of(
      "send", Set.of("stdin"),
      "recv", Set.of("stdout"),
      "inspect", Set.of("stdin", "stdout"),
      "mkfifo", Set.of(),
      "demo", Set.of("stdout"),
      "demo-peer", Set.of(),
      "generate-completion", Set.of("stdout"));

  static CommandLine tree() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Cli.commandLine(new Io(new ByteArrayInputStream(new byte[0]), sink, sink));
  }

  static Stream<String> commands() {
    return tree().getSubcommands().keySet().stream();
  }

  private static String text(ArgSpec arg) {
    return String.join(" ", arg.description());
  }

  private static String name(ArgSpec arg) {
    return arg instanceof OptionSpec ? ((OptionSpec) arg).longestName() : arg.paramLabel();
  }

  @ParameterizedTest
  @MethodSource("commands")
  void optionTextsNameNoOtherCommand(String command) {
    CommandLine cl = tree().getSubcommands().get(command);
    Pattern scoped = Pattern.compile("\\((send|recv|inspect|mkfifo|demo)\\)");
    for (ArgSpec arg : cl.getCommandSpec().args()) {
      Matcher m = scoped.matcher(text(arg));
      while (m.find()) {
        assertEquals(command, m.group(1), command + " " + name(arg) + " is described for another command: " + text(arg));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void optionTextsMentionOnlyTheStreamsTheCommandUses(String command) {
    CommandLine cl = tree().getSubcommands().get(command);
    Set<String> uses = STREAMS.get(command);
    assertTrue(uses != null, "STREAMS lacks " + command);
    for (ArgSpec arg : cl.getCommandSpec().args()) {
      for (String stream : List.of("stdin", "stdout")) {
        if (!uses.contains(stream)) {
          assertFalse(text(arg).contains(stream), command + " " + name(arg) + " mentions " + stream
              + ", which " + command + " does not use: " + text(arg));
        }
      }
    }
  }

  @Test
  void sharedOptionsHaveTextsOfTheirOwnUnlessTheyMeanTheSameEverywhere() {
    Map<String, List<String>> seen = new HashMap<>();
    List<String> borrowed = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : tree().getSubcommands().entrySet()) {
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        String key = o.longestName() + "\u0000" + text(o);
        List<String> users = seen.computeIfAbsent(key, k -> new ArrayList<>());
        users.add(e.getKey());
        if (users.size() == 2 && !SAME_EVERYWHERE.contains(o.longestName())) {
          borrowed.add(o.longestName() + " in " + users + ": " + text(o));
        }
      }
    }
    assertEquals(List.of(), borrowed, "options whose text one command borrows from another");
  }
}
