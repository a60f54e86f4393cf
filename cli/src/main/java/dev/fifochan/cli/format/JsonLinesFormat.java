package dev.fifochan.cli.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fifochan.Codec;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * JSON Lines: one JSON document per line in, one per line out, passed through byte for byte. Blank
 * input lines are skipped. Every frame gets the tag given with {@code --type} ("" by default). A
 * received document that spans several lines (from a writer that pretty-prints) is re-serialized
 * compactly so that each message stays one line.
 */
public final class JsonLinesFormat implements MessageFormat<RawJson> {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final RawJsonCodec codec = new RawJsonCodec();
  private final String tag;

  /** JSON lines whose frames carry {@code tag} ("" for none). */
  public JsonLinesFormat(String tag) {
    this.tag = tag;
  }

  @Override
  public Codec<RawJson> codec() {
    return codec;
  }

  @Override
  public MessageInput<RawJson> input(InputStream in) {
    ByteLines lines = new ByteLines(in);
    return () -> {
      byte[] line;
      do {
        line = lines.next();
      } while (line != null && isBlank(line));
      if (line == null) {
        return null;
      }
      String problem = RawJsonCodec.check(line);
      if (problem != null) {
        throw new CliException(ExitCode.BAD_MESSAGE, "stdin line " + lines.lineNumber() + ": invalid JSON: " + problem);
      }
      return new RawJson(tag, line);
    };
  }

  @Override
  public MessageOutput<RawJson> output(OutputStream out) {
    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    return new MessageOutput<>() {
      @Override
      public void write(RawJson message) throws IOException {
        byte[] b = message.bytes();
        buffered.write(hasLineBreak(b) ? MAPPER.writeValueAsBytes(MAPPER.readTree(b)) : b);
        buffered.write('\n');
      }

      @Override
      public void flush() throws IOException {
        buffered.flush();
      }
    };
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private static boolean hasLineBreak(byte[] b) {
    for (byte x : b) {
      if (x == '\n' || x == '\r') {
        return true;
      }
    }
    return false;
  }

  @Override
  public String valueJson(RawJson message) {
    return new String(message.bytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public Class<RawJson> type() {
    return RawJson.class;
  }
}
