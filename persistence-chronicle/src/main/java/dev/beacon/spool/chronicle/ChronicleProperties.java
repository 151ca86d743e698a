package dev.beacon.spool.chronicle;

import java.io.File;

/**
 * Quiets Chronicle before any of its classes load: each property is read once, in a static
 * initializer, so it must be set before the first Chronicle class is touched. A property the user
 * already set (with {@code -D}) is left alone. Not API.
 */
final class ChronicleProperties {
  /**
   * Each default and why:
   *
   * <ul>
   *   <li>{@code chronicle.analytics.disable}: Chronicle's usage analytics sends a Google Analytics
   *       event and writes {@code ~/.chronicle.analytics.*}; the jar is also excluded from our
   *       dependency, this stops it should a user add it back.
   *   <li>{@code chronicle.announcer.disable}: no banner at INFO in the user's log.
   *   <li>{@code disable.perf.info}: no performance hints at INFO.
   *   <li>{@code chronicle.disk.monitor.disable}: no "disk-space-checker" thread; the spool checks
   *       free space itself, before appends (see {@link DiskSpace}).
   * </ul>
   */
  private static final String[][] DEFAULTS = {
    {"chronicle.analytics.disable", "true"},
    {"chronicle.announcer.disable", "true"},
    {"disable.perf.info", "true"},
    {"chronicle.disk.monitor.disable", "true"},
  };

  private ChronicleProperties() {}

  static void apply() {
    for (String[] kv : DEFAULTS) {
      if (System.getProperty(kv[0]) == null) {
        System.setProperty(kv[0], kv[1]);
      }
    }
    // Chronicle loads ./system.properties, ../system.properties or a class-path resource of that
    // name into the JVM's system properties, unless -Dsystem.properties names another file. A host
    // application's own system.properties must not be swallowed (nor re-enable analytics), so point
    // Chronicle at an empty file when the user did not choose one.
    if (System.getProperty("system.properties") == null && new File("/dev/null").exists()) {
      System.setProperty("system.properties", "/dev/null");
    }
  }
}
