package dev.fifochan.internal;

import dev.fifochan.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/** Immutable {@link Headers}: keys and values in order, with their wire encoding computed once. */
public final class HeaderList implements Headers {
  /** The empty headers. */
  public static final HeaderList EMPTY = new HeaderList(new String[0], new byte[0][]);

  private final String[] keys;
  private final byte[][] values;
  /** The header block as written on the wire (without its length field). */
  private final byte[] block;

  /** Takes ownership of both arrays: the keys valid and distinct, the values not shared. */
  public HeaderList(String[] keys, byte[][] values) {
    this.keys = keys;
    this.values = values;
    this.block = encode(keys, values);
  }

  private static byte[] encode(String[] keys, byte[][] values) {
    long size = 0;
    for (int i = 0; i < keys.length; i++) {
      size += FrameDescriptor.HEADER_KEY_LENGTH_FIELD + keys[i].length() + FrameDescriptor.HEADER_VALUE_LENGTH_FIELD + values[i].length;
    }
    if (size > Integer.MAX_VALUE - 16) {
      return null; // far beyond the limit: refused when sent
    }
    byte[] b = new byte[(int) size];
    int p = 0;
    for (int i = 0; i < keys.length; i++) {
      String k = keys[i];
      b[p++] = (byte) k.length();
      for (int j = 0; j < k.length(); j++) {
        b[p++] = (byte) k.charAt(j);
      }
      int n = values[i].length;
      b[p++] = (byte) (n >>> 8);
      b[p++] = (byte) n;
      System.arraycopy(values[i], 0, b, p, n);
      p += n;
    }
    return b;
  }

  /**
   * {@code base} with {@code extra}'s entries: a key of both keeps its place and takes {@code extra}'s
   * value; {@code extra}'s other keys follow in their order.
   */
  public static HeaderList merge(Headers base, Headers extra) {
    java.util.List<String> k = new java.util.ArrayList<>(base.size() + extra.size());
    java.util.List<byte[]> v = new java.util.ArrayList<>(base.size() + extra.size());
    base.forEach((key, value) -> {
      k.add(key);
      v.add(value);
    });
    extra.forEach((key, value) -> {
      int i = k.indexOf(key);
      if (i >= 0) {
        v.set(i, value);
      } else {
        k.add(key);
        v.add(value);
      }
    });
    return new HeaderList(k.toArray(new String[0]), v.toArray(new byte[0][]));
  }

  /** The encoded header block (do not modify), or null if it would be absurdly large. */
  byte[] block() {
    return block;
  }

  /** The longest value, in bytes. */
  int longestValue() {
    int max = 0;
    for (byte[] v : values) {
      max = Math.max(max, v.length);
    }
    return max;
  }

  @Override
  public byte[] get(String key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        return values[i].clone();
      }
    }
    return null;
  }

  @Override
  public String getString(String key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        return new String(values[i], StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(String key) {
    for (String k : keys) {
      if (k.equals(key)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<String> keys() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(keys)));
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean isEmpty() {
    return keys.length == 0;
  }

  @Override
  public void forEach(BiConsumer<String, byte[]> action) {
    for (int i = 0; i < keys.length; i++) {
      action.accept(keys[i], values[i].clone());
    }
  }

  @Override
  public Headers copy() {
    return this;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HeaderList)) {
      return false;
    }
    HeaderList h = (HeaderList) o;
    if (h.keys.length != keys.length) {
      return false;
    }
    for (int i = 0; i < keys.length; i++) {
      int j = Arrays.asList(h.keys).indexOf(keys[i]);
      if (j < 0 || !Arrays.equals(values[i], h.values[j])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < keys.length; i++) {
      h += keys[i].hashCode() ^ Arrays.hashCode(values[i]);
    }
    return h;
  }

  @Override
  public String toString() {
    return HeaderText.describe(this);
  }
}
