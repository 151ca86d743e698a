package dev.beacon.spring;

import dev.beacon.Analytics;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Beacon's Actuator health on Spring Boot 4.x, where health moved to {@code spring-boot-health}
 * ({@code org.springframework.boot.health.contributor}): the same component {@code beacon}, with
 * the same statuses and details as {@link BeaconHealthIndicator} on Boot 3.5.
 */
public final class BeaconBoot4HealthIndicator extends AbstractHealthIndicator {
  /** Beacon still accepts messages, but delivery or the spool is in trouble; code {@value BeaconHealthIndicator#DEGRADED_CODE}. */
  public static final Status DEGRADED = new Status(BeaconHealthIndicator.DEGRADED_CODE, HealthCheck.DEGRADED_DESCRIPTION);

  private final Analytics analytics;
  private final BeaconDeliveryMonitor monitor;

  /**
   * A health indicator for a client.
   *
   * @param analytics the client
   * @param monitor the monitor wired into the client's error callback, or null (then only a
   *     closed client and the spool state are seen)
   */
  public BeaconBoot4HealthIndicator(Analytics analytics, BeaconDeliveryMonitor monitor) {
    super("Beacon health check failed");
    this.analytics = Objects.requireNonNull(analytics, "analytics");
    this.monitor = monitor != null && monitor.watches(analytics) ? monitor : null;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    HealthCheck.Result r = HealthCheck.check(analytics, monitor);
    builder.status(switch (r.status()) {
      case HealthCheck.UP -> Status.UP;
      case HealthCheck.DOWN -> Status.DOWN;
      default -> DEGRADED;
    }).withDetails(r.details());
  }
}
