package dev.fifochan;

import dev.fifochan.internal.ArrayPayloadSink;
import java.io.IOException;
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

  /**
   * Raw payloads as {@code byte[]}, named {@code bytes}; reads streams of any codec. Encoding copies the
   * array into the frame buffer (nothing else is allocated); decoding copies the payload into a new
   * array (use {@link Receiver#pollFrames} to read payloads without copying).
   */
  public static Codec<byte[]> bytes() {
    return BYTES;
  }

  /**
   * UTF-8 text, named {@code string}; also reads {@code json} streams as text. Encoding writes UTF-8
   * straight into the frame buffer (an unpaired surrogate becomes {@code ?}, as in
   * {@link String#getBytes}); decoding fails on malformed UTF-8.
   */
  public static Codec<String> string() {
    return STRING;
  }

  /**
   * Finds a codec by name: the built-ins, then every {@link CodecProvider} found by
   * {@link ServiceLoader} (module path or class path).
   *
   * @param options provider-specific settings (null or empty for none)
   * @throws IllegalArgumentException if no codec has that name (listing the names that exist), or the
   *     provider refuses the options
   */
  public static Codec<?> byName(String name, Map<String, String> options) {
    if (BYTES.name().equals(name) || STRING.name().equals(name)) {
      if (options != null && !options.isEmpty()) {
        throw new IllegalArgumentException("the " + name + " codec takes no options; got " + options.keySet());
      }
      return BYTES.name().equals(name) ? BYTES : STRING;
    }
    Map<String, CodecProvider> providers = providers();
    CodecProvider provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("no codec named '" + name + "'; known: bytes, string"
          + (providers.isEmpty() ? "" : ", " + String.join(", ", providers.keySet())));
    }
    return provider.create(options == null ? Map.of() : options);
  }

  /**
   * The payload {@code codec} writes for {@code value}, as a new array (for tests, tools and caches;
   * senders encode straight into their frame buffer instead). Like a sender, it asks the codec for the
   * value's {@link Codec#tagOf tag} first, so a value the codec does not know fails as it would there.
   *
   * @throws EncodeException if the codec fails to encode
   * @throws IllegalArgumentException (or another runtime exception) from {@link Codec#tagOf}
   */
  public static <T> byte[] encodeToBytes(Codec<T> codec, T value) throws IOException {
    codec.tagOf(value);
    ArrayPayloadSink sink = new ArrayPayloadSink(Integer.MAX_VALUE - 16);
    try {
      codec.encode(value, sink);
    } catch (EncodeException | MessageTooLongException e) {
      throw e;
    } catch (Exception e) {
      throw new EncodeException(codec.name(), value == null ? "null" : value.getClass().getName(), e);
    }
    return sink.toByteArray();
  }

  /** The codec providers found by {@link ServiceLoader}, by name (the first of each name wins). */
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
    public void encode(byte[] value, PayloadSink sink) throws IOException {
      sink.write(value, 0, value.length);
    }

    @Override
    public byte[] decode(String tag, ByteBuffer payload) {
      byte[] bytes = new byte[payload.remaining()];
      payload.get(bytes);
      return bytes;
    }

    @Override
    public String toString() {
      return "Codecs.bytes()";
    }
  }

  private static final class StringCodec implements Codec<String> {
    /** Strings up to this many chars are encoded in place; longer ones through {@link String#getBytes}. */
    private static final int IN_PLACE = 1 << 16;

    @Override
    public String name() {
      return "string";
    }

    @Override
    public boolean accepts(String writerCodec) {
      return "string".equals(writerCodec) || "json".equals(writerCodec);
    }

    @Override
    public void encode(String value, PayloadSink sink) throws IOException {
      int n = value.length();
      if (n > IN_PLACE) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        sink.write(b, 0, b.length);
        return;
      }
      ByteBuffer out = sink.room(utf8Length(value));
      for (int i = 0; i < n; i++) {
        char c = value.charAt(i);
        if (c < 0x80) {
          out.put((byte) c);
        } else if (c < 0x800) {
          out.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
        } else if (Character.isSurrogate(c)) {
          int cp = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))
              ? Character.toCodePoint(c, value.charAt(++i)) : -1;
          if (cp < 0) {
            out.put((byte) '?');
          } else {
            out.put((byte) (0xF0 | (cp >> 18))).put((byte) (0x80 | ((cp >> 12) & 0x3F)))
                .put((byte) (0x80 | ((cp >> 6) & 0x3F))).put((byte) (0x80 | (cp & 0x3F)));
          }
        } else {
          out.put((byte) (0xE0 | (c >> 12))).put((byte) (0x80 | ((c >> 6) & 0x3F))).put((byte) (0x80 | (c & 0x3F)));
        }
      }
    }

    /** The UTF-8 length of {@code s} as {@link #encode} writes it. */
    private static int utf8Length(String s) {
      int n = s.length();
      int bytes = n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          if (c < 0x800) {
            bytes += 1;
          } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
            bytes += 2; // two chars, four bytes
            i++;
          } else if (!Character.isSurrogate(c)) {
            bytes += 2;
          }
        }
      }
      return bytes;
    }

    @Override
    public String decode(String tag, ByteBuffer payload) throws CharacterCodingException {
      if (payload.hasArray()) {
        byte[] a = payload.array();
        int off = payload.arrayOffset() + payload.position();
        int len = payload.remaining();
        if (isAscii(a, off, len)) {
          payload.position(payload.limit());
          return new String(a, off, len, StandardCharsets.ISO_8859_1);
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

    @Override
    public String toString() {
      return "Codecs.string()";
    }
  }
}
