package dev.fifochan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The built-in codecs ({@code bytes}, {@code string}) and discovery of the others by name. */
public final class Codecs {
  private static final Codec<byte[]> BYTES = new BytesCodec();
  private static final Codec<String> STRING = new StringCodec();

  private Codecs() {}

  /** Raw payloads as {@code byte[]}, named {@code bytes}; reads streams of any codec. */
  public static Codec<byte[]> bytes() {
    return BYTES;
  }

  /** UTF-8 text, named {@code string}; also reads {@code json} streams as text. Malformed UTF-8 is a decode failure. */
  public static Codec<String> string() {
    return STRING;
  }

  /**
   * Finds a codec by name: the built-ins, then every {@link CodecProvider} on the class path.
   *
   * @throws IllegalArgumentException if no codec has that name, listing the names that exist
   */
  public static Codec<?> byName(String name, Map<String, String> options) {
    if (BYTES.name().equals(name)) {
      return BYTES;
    }
    if (STRING.name().equals(name)) {
      return STRING;
    }
    Map<String, CodecProvider> providers = providers();
    CodecProvider provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("no codec named '" + name + "'; known: bytes, string"
          + (providers.isEmpty() ? "" : ", " + String.join(", ", providers.keySet())));
    }
    return provider.create(options);
  }

  /** The codec providers on the class path, by name. */
  public static Map<String, CodecProvider> providers() {
    Map<String, CodecProvider> byName = new TreeMap<>();
    for (CodecProvider p : ServiceLoader.load(CodecProvider.class, Codecs.class.getClassLoader())) {
      byName.putIfAbsent(p.name(), p);
    }
    return byName;
  }

  private static final class BytesCodec implements Codec<byte[]> {
    @Override
    public String name() {
      return "bytes";
    }

    @Override
    public boolean accepts(String writerCodec) {
      return true;
    }

    @Override
    public void encode(byte[] value, OutputStream out) throws IOException {
      out.write(value);
    }

    @Override
    public byte[] decode(String tag, ByteBuffer payload) {
      byte[] bytes = new byte[payload.remaining()];
      payload.get(bytes);
      return bytes;
    }
  }

  private static final class StringCodec implements Codec<String> {
    @Override
    public String name() {
      return "string";
    }

    @Override
    public boolean accepts(String writerCodec) {
      return "string".equals(writerCodec) || "json".equals(writerCodec);
    }

    @Override
    public void encode(String value, OutputStream out) throws IOException {
      out.write(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String decode(String tag, ByteBuffer payload) throws CharacterCodingException {
      if (payload.hasArray()) {
        // Fast path; still validates by round-trip through a reporting decoder below when malformed.
        byte[] a = payload.array();
        int off = payload.arrayOffset() + payload.position();
        if (isAscii(a, off, payload.remaining())) {
          return new String(a, off, payload.remaining(), StandardCharsets.ISO_8859_1);
        }
      }
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(payload)
          .toString();
    }

    private static boolean isAscii(byte[] a, int off, int len) {
      for (int i = off, end = off + len; i < end; i++) {
        if (a[i] < 0) {
          return false;
        }
      }
      return true;
    }
  }
}
