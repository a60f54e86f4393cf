package dev.fifochan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's Java code is this module's code. A snippet in an example's source is marked
 * <pre>
 *     // README:begin NAME
 *     ...code...
 *     // README:end
 * </pre>
 * and a {@code ```java} block of {@code README.md} that carries the marker
 * <pre>
 * &lt;!-- README:snippet NAME [NAME ...] --&gt;
 * ```java
 * ...
 * ```
 * </pre>
 * (the marker alone on the line right before the opening fence; an HTML comment, so readers do not see
 * it) must hold exactly those snippets, each with its common indentation removed, joined by one empty
 * line (trailing spaces and the block's own common indentation are ignored). Java blocks without a marker
 * are not checked. A marker that names no snippet, or is not followed by a Java block, fails.
 */
class ReadmeSnippetsTest {
  private static final Pattern BEGIN = Pattern.compile("^\\s*// README:begin ([a-z0-9-]+)\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// README:end\\s*$");
  private static final Pattern MARKER = Pattern.compile("^<!-- README:snippet ((?:[a-z0-9-]+ ?)+) -->\\s*$");

  static Path repoRoot() {
    String root = System.getenv("FIFOCHAN_REPO_ROOT");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  /** Every snippet of the examples' sources, by name. */
  static Map<String, String> snippets() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Path sources = repoRoot().resolve("examples/src/main/java");
    List<Path> files;
    try (Stream<Path> s = Files.walk(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      String name = null;
      List<String> body = null;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        Matcher b = BEGIN.matcher(line);
        String where = f.getFileName() + ":" + (i + 1);
        if (b.matches()) {
          if (name != null) {
            fail(where + ": README:begin " + b.group(1) + " inside snippet " + name);
          }
          name = b.group(1);
          body = new ArrayList<>();
        } else if (END.matcher(line).matches()) {
          if (name == null) {
            fail(where + ": README:end without README:begin");
          }
          if (out.put(name, normalize(body)) != null) {
            fail(where + ": two snippets named " + name);
          }
          name = null;
        } else if (line.contains("README:")) {
          fail(where + ": a malformed marker: " + line.trim());
        } else if (name != null) {
          body.add(line);
        }
      }
      if (name != null) {
        fail(f.getFileName() + ": snippet " + name + " has no README:end");
      }
    }
    return out;
  }

  /** Trailing spaces off, the common indentation off, leading and trailing empty lines off. */
  static String normalize(List<String> lines) {
    List<String> l = new ArrayList<>();
    for (String s : lines) {
      l.add(s.stripTrailing());
    }
    while (!l.isEmpty() && l.get(0).isEmpty()) {
      l.remove(0);
    }
    while (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
      l.remove(l.size() - 1);
    }
    int indent = Integer.MAX_VALUE;
    for (String s : l) {
      if (!s.isEmpty()) {
        indent = Math.min(indent, s.length() - s.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String s : l) {
      out.add(s.isEmpty() ? s : s.substring(indent));
    }
    return String.join("\n", out);
  }

  @Test
  void theExamplesMarkTheSnippetsTheReadmeMayUse() throws IOException {
    Map<String, String> snippets = snippets();
    assertTrue(snippets.keySet().containsAll(Set.of("strings-send", "strings-receive", "bytes-send", "json-record",
        "json-send", "json-receive", "json-types", "json-types-send", "json-types-receive", "protobuf-send",
        "protobuf-receive", "abort-send", "abort-receive", "rpc-responder", "rpc-client", "metrics", "metrics-sender",
        "metrics-receiver", "configuration", "tracing-config", "tracing-sender", "tracing-receiver")),
        snippets.keySet().toString());
    for (Map.Entry<String, String> e : snippets.entrySet()) {
      assertTrue(!e.getValue().isBlank(), "empty snippet " + e.getKey());
    }
  }

  @Test
  void everyMarkedJavaBlockOfTheReadmeIsTheExamplesCode() throws IOException {
    Path readme = repoRoot().resolve("README.md");
    check(Files.readAllLines(readme, StandardCharsets.UTF_8), snippets(), readme.toString());
  }

  /** Checks the marked blocks of a Markdown text; returns how many were checked. */
  static int check(List<String> markdown, Map<String, String> snippets, String where) {
    int checked = 0;
    for (int i = 0; i < markdown.size(); i++) {
      Matcher m = MARKER.matcher(markdown.get(i));
      if (!m.matches()) {
        if (markdown.get(i).contains("README:snippet")) {
          fail(where + ":" + (i + 1) + ": a malformed marker (expected <!-- README:snippet NAME [NAME ...] -->): "
              + markdown.get(i));
        }
        continue;
      }
      int fence = i + 1;
      if (fence >= markdown.size() || !markdown.get(fence).strip().equals("```java")) {
        fail(where + ":" + (i + 1) + ": a README:snippet marker must stand right before a ```java block");
      }
      List<String> block = new ArrayList<>();
      int j = fence + 1;
      for (; j < markdown.size() && !markdown.get(j).strip().equals("```"); j++) {
        block.add(markdown.get(j));
      }
      if (j == markdown.size()) {
        fail(where + ":" + (fence + 1) + ": the ```java block never closes");
      }
      List<String> expected = new ArrayList<>();
      for (String name : m.group(1).trim().split(" ")) {
        String s = snippets.get(name);
        if (s == null) {
          fail(where + ":" + (i + 1) + ": no snippet named '" + name + "' in examples/src/main/java (known: "
              + snippets.keySet() + ")");
        }
        expected.add(s);
      }
      assertEquals(String.join("\n\n", expected), normalize(block),
          where + ":" + (fence + 2) + ": the block differs from snippet(s) " + m.group(1).trim()
              + " of the examples; paste them again");
      checked++;
      i = j;
    }
    return checked;
  }

  @Test
  void theCheckCatchesADifferenceAndAcceptsACopy() {
    Map<String, String> snippets = Map.of("a", "int x = 1;\nint y = 2;", "b", "call(x, y);");
    List<String> good = List.of("text", "<!-- README:snippet a b -->", "```java", "  int x = 1;", "  int y = 2;", "",
        "  call(x, y);   ", "```", "```java", "unmarked();", "```");
    assertEquals(1, check(good, snippets, "good.md"));
    List<String> stale = List.of("<!-- README:snippet a -->", "```java", "int x = 1;", "int y = 3;", "```");
    AssertionErrorHolder.expect(() -> check(stale, snippets, "stale.md"), "differs");
    List<String> unknown = List.of("<!-- README:snippet nope -->", "```java", "x();", "```");
    AssertionErrorHolder.expect(() -> check(unknown, snippets, "unknown.md"), "no snippet named 'nope'");
    List<String> loose = List.of("<!-- README:snippet a -->", "", "```java", "int x = 1;", "```");
    AssertionErrorHolder.expect(() -> check(loose, snippets, "loose.md"), "right before");
  }

  /** Asserts that a check fails with a message containing a text. */
  static final class AssertionErrorHolder {
    private AssertionErrorHolder() {}

    static void expect(Runnable r, String part) {
      try {
        r.run();
      } catch (AssertionError e) {
        assertTrue(e.getMessage().contains(part), e.getMessage());
        return;
      } catch (UncheckedIOException e) {
        throw e;
      }
      fail("the check passed; expected a failure containing '" + part + "'");
    }
  }
}
