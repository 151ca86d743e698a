package dev.beacon.spring;

import dev.beacon.spi.Plugin;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.TrackingPlanPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/** Reads {@code beacon.tracking-plan.*} into a plugin; loaded only with beacon-tracking-plan present. */
final class TrackingPlans {
  /** The largest plan file read: a plan is a few hundred kilobytes at most; the file is not ours. */
  static final int MAX_PLAN_BYTES = 16 * 1024 * 1024;
  private static final String PROPERTY = "beacon.tracking-plan.location";

  private TrackingPlans() {}

  static Plugin plugin(BeaconProperties.TrackingPlan settings, ResourceLoader resources) {
    String location = settings.location();
    Resource resource = resources.getResource(location);
    String json;
    try (InputStream in = resource.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_PLAN_BYTES + 1);
      if (bytes.length > MAX_PLAN_BYTES) {
        throw new BeaconConfigurationException(PROPERTY, "The tracking plan at " + location + " is larger than "
            + MAX_PLAN_BYTES + " bytes (" + PROPERTY + ")", null);
      }
      json = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BeaconConfigurationException(PROPERTY, "Cannot read the tracking plan at " + location + " ("
          + PROPERTY + "): " + e.getMessage(), e);
    }
    TrackingPlan plan;
    try {
      plan = TrackingPlan.parse(json, location);
    } catch (IllegalArgumentException e) {
      throw new BeaconConfigurationException(PROPERTY, "Invalid tracking plan (" + PROPERTY + "): "
          + e.getMessage(), e);
    }
    TrackingPlanPlugin.Builder b = TrackingPlanPlugin.builder(plan)
        .mode(TrackingPlanPlugin.Mode.valueOf(settings.mode().name()));
    if (settings.allowUnplanned()) {
      b.unplannedEvents(TrackingPlanPlugin.Unplanned.ALLOW);
    }
    return b.build();
  }
}
