package dev.beacon.trackingplan;

import dev.beacon.spi.Plugin;
import dev.beacon.spi.PluginProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the {@link TrackingPlanPlugin} by the name {@value #NAME} for tools that build the client
 * (the command-line tool, the Spring Boot starter). Settings: {@code plan} (the file, required),
 * {@code mode} ({@code warn}, {@code drop} or {@code strict}; default warn) and {@code unplanned}
 * ({@code allow}, {@code warn} or {@code drop}; default: as the mode).
 */
public final class TrackingPlanPluginProvider implements PluginProvider {
  /** The provider's name. */
  public static final String NAME = "tracking-plan";

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public TrackingPlanPluginProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Plugin create(Map<String, String> settings) {
    String file = settings.get("plan");
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException("tracking-plan plugin: setting 'plan' (the plan file) is required");
    }
    TrackingPlan plan;
    try {
      plan = TrackingPlan.load(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException("tracking-plan plugin: cannot read plan " + file + ": " + e, e);
    }
    TrackingPlanPlugin.Builder b = TrackingPlanPlugin.builder(plan);
    String mode = settings.get("mode");
    if (mode != null) {
      b.mode(parse(TrackingPlanPlugin.Mode.class, "mode", mode));
    }
    String unplanned = settings.get("unplanned");
    if (unplanned != null) {
      b.unplannedEvents(parse(TrackingPlanPlugin.Unplanned.class, "unplanned", unplanned));
    }
    return b.build();
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String setting, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tracking-plan plugin: setting '" + setting + "' must be one of "
          + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + " but was '" + value + "'");
    }
  }
}
