package dev.fifochan.internal;

import dev.fifochan.Headers;
import dev.fifochan.MalformedFrameException.HeaderFault;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A reused, allocation-free view of one frame's header block in a receive buffer: {@link #parse}
 * checks every rule of wire format §2.2 and records where each entry lies. Valid until the buffer is
 * reused; {@link #copy()} makes immutable headers. Not thread-safe.
 */
public final class HeaderBlockView implements Headers {
  private final int[] keyAt = new int[FrameDescriptor.MAX_HEADER_ENTRIES];
  private final int[] keyLength = new int[FrameDescriptor.MAX_HEADER_ENTRIES];
  private final int[] valueAt = new int[FrameDescriptor.MAX_HEADER_ENTRIES];
  private final int[] valueLength = new int[FrameDescriptor.MAX_HEADER_ENTRIES];
  private ByteBuffer buf;
  private int count;

  /**
   * Parses the block of {@code length} bytes at {@code start} of {@code b} (absolute indices).
   *
   * @return null if the block keeps every rule, else the first rule it breaks (the view is then empty)
   */
  public HeaderFault parse(ByteBuffer b, int start, int length) {
    this.buf = b;
    this.count = 0;
    HeaderFault fault = check(b, start, length);
    if (fault != null) {
      count = 0;
    }
    return fault;
  }

  private HeaderFault check(ByteBuffer b, int start, int length) {
    if (length == 0) {
      return HeaderFault.EMPTY_BLOCK;
    }
    int p = start;
    int end = start + length;
    while (p < end) {
      if (count == FrameDescriptor.MAX_HEADER_ENTRIES) {
        return HeaderFault.TOO_MANY_ENTRIES;
      }
      int kl = b.get(p) & 0xFF;
      p += FrameDescriptor.HEADER_KEY_LENGTH_FIELD;
      if (kl == 0 || kl > FrameDescriptor.MAX_HEADER_KEY_LENGTH) {
        return HeaderFault.KEY_LENGTH;
      }
      if (p + kl + FrameDescriptor.HEADER_VALUE_LENGTH_FIELD > end) {
        return HeaderFault.ENTRY_PAST_BLOCK;
      }
      for (int i = 0; i < kl; i++) {
        if (!FrameDescriptor.isHeaderKeyByte(b.get(p + i))) {
          return HeaderFault.KEY_BYTE;
        }
      }
      int ka = p;
      p += kl;
      int vl = b.getShort(p) & 0xFFFF;
      p += FrameDescriptor.HEADER_VALUE_LENGTH_FIELD;
      if (vl > FrameDescriptor.MAX_HEADER_VALUE_LENGTH) {
        return HeaderFault.VALUE_LENGTH;
      }
      if (p + vl > end) {
        return HeaderFault.ENTRY_PAST_BLOCK;
      }
      for (int j = 0; j < count; j++) {
        if (sameBytes(b, keyAt[j], keyLength[j], ka, kl)) {
          return HeaderFault.DUPLICATE_KEY;
        }
      }
      keyAt[count] = ka;
      keyLength[count] = kl;
      valueAt[count] = p;
      valueLength[count] = vl;
      count++;
      p += vl;
    }
    return null;
  }

  private static boolean sameBytes(ByteBuffer b, int a, int al, int c, int cl) {
    if (al != cl) {
      return false;
    }
    for (int i = 0; i < al; i++) {
      if (b.get(a + i) != b.get(c + i)) {
        return false;
      }
    }
    return true;
  }

  /** Makes this view empty. */
  public void clear() {
    count = 0;
  }

  private int indexOf(String key) {
    for (int j = 0; j < count; j++) {
      int kl = keyLength[j];
      if (key.length() != kl) {
        continue;
      }
      int at = keyAt[j];
      boolean same = true;
      for (int i = 0; i < kl && same; i++) {
        same = buf.get(at + i) == key.charAt(i);
      }
      if (same) {
        return j;
      }
    }
    return -1;
  }

  private String key(int j) {
    byte[] k = new byte[keyLength[j]];
    buf.get(keyAt[j], k);
    return new String(k, StandardCharsets.US_ASCII);
  }

  private byte[] value(int j) {
    byte[] v = new byte[valueLength[j]];
    buf.get(valueAt[j], v);
    return v;
  }

  @Override
  public byte[] get(String key) {
    int j = indexOf(key);
    return j < 0 ? null : value(j);
  }

  @Override
  public String getString(String key) {
    int j = indexOf(key);
    return j < 0 ? null : new String(value(j), StandardCharsets.UTF_8);
  }

  @Override
  public boolean containsKey(String key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (int j = 0; j < count; j++) {
      keys.add(key(j));
    }
    return Collections.unmodifiableSet(keys);
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public boolean isEmpty() {
    return count == 0;
  }

  @Override
  public void forEach(BiConsumer<String, byte[]> action) {
    for (int j = 0; j < count; j++) {
      action.accept(key(j), value(j));
    }
  }

  @Override
  public Headers copy() {
    if (count == 0) {
      return HeaderList.EMPTY;
    }
    String[] keys = new String[count];
    byte[][] values = new byte[count][];
    for (int j = 0; j < count; j++) {
      keys[j] = key(j);
      values[j] = value(j);
    }
    return new HeaderList(keys, values);
  }

  @Override
  public String toString() {
    return HeaderText.describe(this);
  }
}
