package dev.fifochan.testcontainers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codecs;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The example of {@code testcontainers/README.md}, compiled and run: the method between the
 * {@code README:begin} and {@code README:end} markers must be the README's code block, line for line
 * (checked here). Its sidecar image, {@value #IMAGE}, is built for the test from scratch and the
 * static {@code src/test/go/relay} program (it copies one FIFO to the other) and removed afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadmeExampleTest {
  static final String IMAGE = "fifochan-example/relay:1.0";

  @BeforeAll
  static void buildTheSidecarImage() throws Exception {
    DockerRequired.docker();
    String go = DockerRequired.go();
    Path out = Path.of(System.getProperty("fifochan.tc.buildDir", "target"), "relay", "relay").toAbsolutePath();
    Files.createDirectories(out.getParent());
    ProcessBuilder pb = new ProcessBuilder(go, "build", "-trimpath", "-o", out.toString(),
        System.getProperty("fifochan.tc.relaySource", "src/test/go/relay/relay.go")).redirectErrorStream(true);
    pb.environment().put("CGO_ENABLED", "0"); // static: the image holds nothing but the program
    pb.redirectOutput(out.resolveSibling("build.log").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "go build of the relay did not finish");
    assertEquals(0, p.exitValue(), () -> "go build of the relay failed: " + read(out.resolveSibling("build.log")));
    new ImageFromDockerfile(IMAGE, false)
        .withFileFromPath("relay", out)
        .withFileFromString("Dockerfile", "FROM scratch\nCOPY relay /relay\nENTRYPOINT [\"/relay\"]\n")
        .get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void removeTheSidecarImage() {
    try {
      DockerClientFactory.instance().client().removeImageCmd(IMAGE).withForce(true).exec();
    } catch (NotFoundException | IllegalStateException e) {
      // not built (no Docker, or the build failed)
    }
  }

  // README:begin
  @Test
  @SuppressWarnings("try") // requests.close() inside the try: the clean end is part of the example
  void messagesCrossASidecarContainerAndBack() throws Exception {
    try (FifoVolume fifos = FifoVolume.of("requests", "replies");
         GenericContainer<?> sidecar = fifos.mountInto(new GenericContainer<>("fifochan-example/relay:1.0"))
             .withNetworkMode("none")
             .withCommand(fifos.containerPath("requests"), fifos.containerPath("replies"))) {
      sidecar.start(); // checks the Docker set-up first: DockerNotUsableException says what to change
      ChannelConfig config = ChannelConfig.defaults();
      FifoOptions options = fifos.hostOptions(); // the volume's FIFOs, never created anew by the host side
      try (Sender<String> requests = Fifo.openSender(fifos.hostPath("requests"), Codecs.string(), config, options);
           Receiver<String> replies = Fifo.openReceiver(fifos.hostPath("replies"), Codecs.string(), config, options)) {
        requests.send("hello, sidecar");
        assertEquals("hello, sidecar", replies.receive(Duration.ofSeconds(10)));
        requests.close(); // a clean end of the requests ...
        assertNull(replies.receive(Duration.ofSeconds(10))); // ... is a clean end of the replies
      }
    }
  }
  // README:end

  @Test
  void theReadmeShowsExactlyTheExampleThatRuns() throws IOException {
    List<String> test = between(Files.readAllLines(Path.of("src/test/java/dev/fifochan/testcontainers/ReadmeExampleTest.java")),
        "// README:begin", "// README:end");
    List<String> readme = between(Files.readAllLines(Path.of(System.getProperty("fifochan.tc.readme", "README.md"))),
        "<!-- the example: ReadmeExampleTest -->", "<!-- end of the example -->");
    assertEquals("```java", readme.get(0).strip());
    assertEquals("```", readme.get(readme.size() - 1).strip());
    assertEquals(dedent(test), dedent(readme.subList(1, readme.size() - 1)));
  }

  private static List<String> between(List<String> lines, String begin, String end) {
    int from = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(begin)) {
        from = i + 1;
      } else if (from >= 0 && lines.get(i).strip().equals(end)) {
        return lines.subList(from, i);
      }
    }
    throw new AssertionError("no lines between " + begin + " and " + end);
  }

  private static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
    }
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }
}
