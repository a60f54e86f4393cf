package dev.fifochan.cli.format;

import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.cli.CliException;
import dev.fifochan.cli.ExitCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code string} codec as text lines: each input line (UTF-8, without its line terminator) is
 * one message, even an empty one; each received message is printed followed by a newline.
 */
public final class StringLinesFormat implements MessageFormat<String> {
  @Override
  public Codec<String> codec() {
    @SuppressWarnings("unchecked") // the built-in codec of that name, found as users find codecs
    Codec<String> c = (Codec<String>) Codecs.byName("string", null);
    return c;
  }

  @Override
  public MessageInput<String> input(InputStream in) {
    ByteLines lines = new ByteLines(in);
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    return () -> {
      byte[] line = lines.next();
      if (line == null) {
        return null;
      }
      try {
        return utf8.decode(ByteBuffer.wrap(line)).toString();
      } catch (CharacterCodingException e) {
        throw new CliException(ExitCode.BAD_MESSAGE, "stdin line " + lines.lineNumber() + ": not valid UTF-8");
      }
    };
  }

  @Override
  public MessageOutput<String> output(OutputStream out) {
    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    return new MessageOutput<>() {
      @Override
      public void write(String message) throws IOException {
        buffered.write(message.getBytes(StandardCharsets.UTF_8));
        buffered.write('\n');
      }

      @Override
      public void flush() throws IOException {
        buffered.flush();
      }
    };
  }

  @Override
  public String valueJson(String message) throws java.io.IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(message);
  }

  @Override
  public Class<String> type() {
    return String.class;
  }
}
