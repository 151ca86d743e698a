package dev.beacon.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library name and version stamped into {@code context.library}. Not API. */
public final class Library {
  /** Value of {@code context.library.name}. */
  public static final String NAME = "beacon-java";
  /** Value of {@code context.library.version}, read from the jar at class load. */
  public static final String VERSION = readVersion();

  private Library() {}

  private static String readVersion() {
    try (InputStream in = Library.class.getResourceAsStream("beacon-version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v.trim();
        }
      }
    } catch (IOException ignored) {
      // fall through to the manifest
    }
    String v = Library.class.getPackage().getImplementationVersion();
    return v != null ? v : "unknown";
  }
}
