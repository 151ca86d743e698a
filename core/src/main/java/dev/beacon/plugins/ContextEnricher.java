package dev.beacon.plugins;

import dev.beacon.Message;
import dev.beacon.spi.Plugin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stamps static values on every message's {@code context}: the app's name, version and build under
 * {@code context.app}, the environment and host name, and any other key. Values the caller set win:
 * the enricher only fills in what is missing, merging nested objects such as {@code context.app}
 * key by key.
 *
 * <pre>{@code
 * Plugin enricher = ContextEnricher.builder()
 *     .appName("shop").appVersion("2.4.1").appBuild("1187")
 *     .environment("production")
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe and immutable. A message that already has every value is passed on as it is;
 * otherwise the enricher builds a copy (about the cost of building the message again).
 */
public final class ContextEnricher implements Plugin {
  private final Map<String, Object> context;

  private ContextEnricher(Map<String, Object> context) {
    this.context = context;
  }

  /**
   * Starts an enricher.
   *
   * @return a builder with no values
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the values this enricher adds.
   *
   * @return an unmodifiable map, as it would appear under {@code context}
   */
  public Map<String, Object> context() {
    return context;
  }

  @Override
  public Message apply(Message message) {
    Map<String, Object> merged = mergeMissing(message.context(), context);
    if (merged == null) {
      return message;
    }
    return message.toBuilder().context(merged).build();
  }

  /**
   * Returns the caller's map with the missing entries of {@code add} filled in (objects merged key
   * by key), or {@code null} when nothing is missing.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> mergeMissing(Map<String, Object> caller, Map<String, Object> add) {
    if (caller.isEmpty()) {
      // The common case: the caller set no context. The enricher's map is already a snapshot, so
      // the copy's build() reuses it instead of walking it again.
      return add;
    }
    Map<String, Object> out = null;
    for (Map.Entry<String, Object> e : add.entrySet()) {
      String key = e.getKey();
      Object mine = e.getValue();
      Object theirs = caller.get(key);
      Object put = null;
      if (theirs == null && !caller.containsKey(key)) {
        put = mine;
      } else if (theirs instanceof Map && mine instanceof Map) {
        put = mergeMissing((Map<String, Object>) theirs, (Map<String, Object>) mine);
      }
      if (put != null) {
        if (out == null) {
          out = new LinkedHashMap<>(caller);
        }
        out.put(key, put);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "ContextEnricher" + context;
  }

  /** Builder of {@link ContextEnricher}. */
  public static final class Builder {
    private final Map<String, Object> app = new LinkedHashMap<>();
    private final Map<String, Object> context = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets {@code context.app.name}.
     *
     * @param name the application's name, e.g. {@code "shop"}
     * @return this builder
     */
    public Builder appName(String name) {
      return app("name", name);
    }

    /**
     * Sets {@code context.app.version}.
     *
     * @param version the application's version, e.g. {@code "2.4.1"}
     * @return this builder
     */
    public Builder appVersion(String version) {
      return app("version", version);
    }

    /**
     * Sets {@code context.app.build}.
     *
     * @param build the build number or commit
     * @return this builder
     */
    public Builder appBuild(String build) {
      return app("build", build);
    }

    /**
     * Sets {@code context.environment}.
     *
     * @param environment e.g. {@code "production"} or {@code "staging"}
     * @return this builder
     */
    public Builder environment(String environment) {
      return put("environment", environment);
    }

    /**
     * Sets {@code context.host}.
     *
     * @param host the host name, e.g. from the {@code HOSTNAME} environment variable
     * @return this builder
     */
    public Builder host(String host) {
      return put("host", host);
    }

    /**
     * Sets any other top-level {@code context} key. A map value is merged key by key with the
     * caller's object under the same key.
     *
     * @param key the context key, e.g. {@code "region"}
     * @param value a JSON-compatible value (string, number, boolean, map, list)
     * @return this builder
     */
    public Builder put(String key, Object value) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("context key must not be null or blank");
      }
      if (value == null) {
        throw new IllegalArgumentException("context." + key + " must not be null");
      }
      context.put(key, value);
      return this;
    }

    private Builder app(String key, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("context.app." + key + " must not be null or blank");
      }
      app.put(key, value);
      return this;
    }

    /**
     * Creates the enricher.
     *
     * @return the enricher
     * @throws IllegalArgumentException when no value was set, or a value cannot be sent as JSON
     */
    public ContextEnricher build() {
      Map<String, Object> all = new LinkedHashMap<>(context);
      if (!app.isEmpty()) {
        Object other = all.get("app");
        if (other instanceof Map) {
          @SuppressWarnings("unchecked")
          Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) other);
          merged.putAll(app);
          all.put("app", merged);
        } else {
          all.put("app", app);
        }
      }
      if (all.isEmpty()) {
        throw new IllegalArgumentException("a ContextEnricher needs at least one value");
      }
      // Validate and freeze through the message builder: the same rules as any context.
      Map<String, Object> frozen = dev.beacon.Track.builder("ContextEnricher").anonymousId("check")
          .context(all).build().context();
      return new ContextEnricher(frozen);
    }
  }
}
