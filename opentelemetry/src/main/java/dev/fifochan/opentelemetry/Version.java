package dev.fifochan.opentelemetry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This module's version, for the instrumentation scope (from a resource the build fills in). */
final class Version {
  static final String VERSION = load();

  private Version() {}

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version");
      return v == null || v.startsWith("${") ? null : v;
    } catch (IOException e) {
      return null;
    }
  }
}
