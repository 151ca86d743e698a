package dev.beacon.spring;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Stats;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Beacon's Actuator health ({@code /actuator/health}, component {@code beacon}):
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
  public static final String DEGRADED_CODE = "DEGRADED";
  /** Beacon still accepts messages, but delivery or the spool is in trouble. */
  public static final Status DEGRADED = new Status(DEGRADED_CODE,
      "Beacon accepts messages but cannot deliver or spool them reliably");

  private static final Set<FailureReason> TRANSIENT =
      EnumSet.of(FailureReason.RETRIES_EXHAUSTED, FailureReason.DEADLINE_EXCEEDED, FailureReason.INTERNAL_ERROR);

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
    Stats s = analytics.stats();
    Optional<BeaconDeliveryMonitor.Failure> failure =
        monitor == null ? Optional.empty() : monitor.failureSinceLastDelivery();
    if (analytics.isClosed()) {
      builder.down().withDetail("closed", true);
    } else if (failure.isPresent() && failure.get().reason() == FailureReason.UNAUTHORIZED) {
      builder.down().withDetail("error", "Segment refused the write key (HTTP " + failure.get().status()
          + "): check beacon.write-key");
    } else if (s.spoolDegraded()) {
      builder.status(DEGRADED).withDetail("error", "the spool cannot be written: messages are kept in memory only");
    } else if (failure.isPresent() && TRANSIENT.contains(failure.get().reason())) {
      builder.status(DEGRADED).withDetail("error", "deliveries keep failing: "
          + failure.get().messagesSinceDelivery() + " message(s) failed since the last delivery");
    } else {
      builder.up();
    }
    failure.ifPresent(f -> {
      Map<String, Object> last = new LinkedHashMap<>();
      last.put("reason", lower(f.reason()));
      last.put("status", f.status());
      last.put("at", f.at().toString());
      last.put("messagesSinceDelivery", f.messagesSinceDelivery());
      builder.withDetail("lastFailure", last);
    });
    builder.withDetail("accepted", s.accepted())
        .withDetail("delivered", s.delivered())
        .withDetail("failed", s.failed())
        .withDetail("dropped", s.dropped())
        .withDetail("pending", s.pending())
        .withDetail("queued", s.queued())
        .withDetail("inFlight", s.inFlight())
        .withDetail("queuedBytes", s.queuedBytes())
        .withDetail("retries", s.retries())
        .withDetail("spooled", s.spooled())
        .withDetail("spoolDegraded", s.spoolDegraded());
    Map<String, Long> failed = new LinkedHashMap<>();
    s.failedByReason().forEach((r, n) -> {
      if (n > 0) {
        failed.put(lower(r), n);
      }
    });
    Map<String, Long> dropped = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      if (s.dropped(r) > 0) {
        dropped.put(lower(r), s.dropped(r));
      }
    }
    if (!failed.isEmpty()) {
      builder.withDetail("failedByReason", failed);
    }
    if (!dropped.isEmpty()) {
      builder.withDetail("droppedByReason", dropped);
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
