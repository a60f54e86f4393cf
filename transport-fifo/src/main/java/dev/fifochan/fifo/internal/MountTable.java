package dev.fifochan.fifo.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads {@code /proc/self/mountinfo} (proc(5)) to learn whether a directory's file system is
 * mounted {@code noexec}, before anything is written there. Pure Java: it runs before the native
 * stub is loaded.
 */
final class MountTable {
  static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /**
   * Whether the mount that holds {@code dir} carries the per-mount option {@code noexec}. The mount
   * is the one whose mount point is the longest whole-component prefix of the directory's real
   * path; of several on the same point the last listed (the one on top) counts. False when the
   * table cannot be read: then loading is tried and its own failure reported.
   */
  static boolean isNoexec(Path dir) {
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      return false;
    }
    String table;
    try (FileInputStream in = new FileInputStream(MOUNTINFO.toFile())) { // the plainest reader: no charset or channel set-up
      table = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    String target = real.toString();
    String best = null;
    boolean bestNoexec = false;
    for (int start = 0, end; start < table.length(); start = end + 1) {
      end = table.indexOf('\n', start);
      if (end < 0) {
        end = table.length();
      }
      // id parent major:minor root mount-point mount-options [optional...] - type source super-options
      String[] f = table.substring(start, end).split(" ");
      if (f.length < 6) {
        continue;
      }
      String point = unescape(f[4]);
      if (contains(point, target) && (best == null || point.length() >= best.length())) {
        best = point;
        bestNoexec = hasOption(f[5], "noexec");
      }
    }
    return bestNoexec;
  }

  private static boolean contains(String mountPoint, String path) {
    if (mountPoint.equals("/")) {
      return true;
    }
    return path.equals(mountPoint) || path.startsWith(mountPoint + "/");
  }

  private static boolean hasOption(String options, String option) {
    for (String o : options.split(",")) {
      if (o.equals(option)) {
        return true;
      }
    }
    return false;
  }

  /** Undoes the octal escapes ({@code \040} for a space and the like) of mount points. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
