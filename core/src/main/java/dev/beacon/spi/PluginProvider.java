package dev.beacon.spi;

import java.util.Map;

/**
 * Creates a {@link Plugin} by name from string settings, so that tools which build the client for
 * the user (the command-line tool, the Spring Boot starter) can offer plugins found on the class
 * path. Found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.beacon.spi.PluginProvider}; {@link #find(String)} looks one up.
 * Code that builds its own client registers plugins directly with
 * {@code Analytics.builder(key).plugin(...)}.
 */
public interface PluginProvider {
  /**
   * Returns the short name the plugin is chosen by.
   *
   * @return e.g. {@code "tracking-plan"}
   */
  String name();

  /**
   * Creates a plugin.
   *
   * @param settings the plugin's settings as strings, e.g. {@code {"plan": "plan.json"}}
   * @return a new plugin
   * @throws IllegalArgumentException naming the setting when one is missing or invalid
   */
  Plugin create(Map<String, String> settings);

  /**
   * Finds a provider on the class path by name.
   *
   * @param name the provider's {@link #name()}
   * @return the provider
   * @throws IllegalArgumentException when none has this name, listing the names found
   */
  static PluginProvider find(String name) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (PluginProvider p : java.util.ServiceLoader.load(PluginProvider.class, PluginProvider.class.getClassLoader())) {
      if (p.name().equals(name)) {
        return p;
      }
      names.add(p.name());
    }
    java.util.Collections.sort(names);
    throw new IllegalArgumentException("no Beacon plugin named '" + name + "' on the class path (found: "
        + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
  }
}
