package dev.beacon.spring;

import dev.beacon.Analytics;
import java.util.Objects;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Beacon's Actuator health on Spring Boot 3.5 ({@code /actuator/health}, component {@code beacon};
 * {@link BeaconBoot4HealthIndicator} is the same on Boot 4):
 * <ul>
 *   <li>{@code DOWN} when the client is closed, or when Segment refused the write key (HTTP 401 or
 *       403) and nothing was delivered since: every later batch will be refused too;</li>
 *   <li>{@value #DEGRADED_CODE} when the spool cannot be written (messages are kept in memory
 *       only), or when the last batches finally failed for a transient cause (retries exhausted,
 *       deadline passed, an internal error) and nothing was delivered since;</li>
 *   <li>{@code UP} otherwise.</li>
 * </ul>
 * Failures that concern one batch's content (rejected, too large) and those at shutdown do not
 * change the status. {@value #DEGRADED_CODE} is a custom status: Actuator's default status order
 * leaves it out of the aggregate, so the application stays {@code UP} (HTTP 200) while the
 * component shows it; add it to {@code management.endpoint.health.status.order} to let it count.
 *
 * <p>Details come from {@link Analytics#stats()} (counts, never message content or the write key),
 * plus the last failure when nothing was delivered after it.
 */
public final class BeaconHealthIndicator extends AbstractHealthIndicator {
  /** The code of {@link #DEGRADED}. */
  public static final String DEGRADED_CODE = HealthCheck.DEGRADED;
  /** Beacon still accepts messages, but delivery or the spool is in trouble. */
  public static final Status DEGRADED = new Status(DEGRADED_CODE, HealthCheck.DEGRADED_DESCRIPTION);

  private final Analytics analytics;
  private final BeaconDeliveryMonitor monitor;

  /**
   * A health indicator for a client.
   *
   * @param analytics the client
   * @param monitor the monitor wired into the client's error callback, or null (then only a
   *     closed client and the spool state are seen)
   */
  public BeaconHealthIndicator(Analytics analytics, BeaconDeliveryMonitor monitor) {
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
