package dev.beacon.spring;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Stats;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Beacon's health, free of any Spring Boot type: the health indicators of each Boot line
 * ({@link BeaconHealthIndicator} for 3.5, {@link BeaconBoot4HealthIndicator} for 4.x) turn it
 * into their own {@code Health}. The rules are in {@link BeaconHealthIndicator}'s Javadoc.
 */
final class HealthCheck {
  static final String UP = "UP";
  static final String DOWN = "DOWN";
  static final String DEGRADED = "DEGRADED";
  static final String DEGRADED_DESCRIPTION = "Beacon accepts messages but cannot deliver or spool them reliably";

  private static final Set<FailureReason> TRANSIENT =
      EnumSet.of(FailureReason.RETRIES_EXHAUSTED, FailureReason.DEADLINE_EXCEEDED, FailureReason.INTERNAL_ERROR);

  /** A status code and the details to show, in order. */
  record Result(String status, Map<String, Object> details) {}

  private HealthCheck() {}

  static Result check(Analytics analytics, BeaconDeliveryMonitor monitor) {
    Stats s = analytics.stats();
    Optional<BeaconDeliveryMonitor.Failure> failure =
        monitor == null ? Optional.empty() : monitor.failureSinceLastDelivery();
    Map<String, Object> details = new LinkedHashMap<>();
    String status;
    if (analytics.isClosed()) {
      status = DOWN;
      details.put("closed", true);
    } else if (failure.isPresent() && failure.get().reason() == FailureReason.UNAUTHORIZED) {
      status = DOWN;
      details.put("error", "Segment refused the write key (HTTP " + failure.get().status()
          + "): check beacon.write-key");
    } else if (s.spoolDegraded()) {
      status = DEGRADED;
      details.put("error", "the spool cannot be written: messages are kept in memory only");
    } else if (failure.isPresent() && TRANSIENT.contains(failure.get().reason())) {
      status = DEGRADED;
      details.put("error", "deliveries keep failing: " + failure.get().messagesSinceDelivery()
          + " message(s) failed since the last delivery");
    } else {
      status = UP;
    }
    failure.ifPresent(f -> {
      Map<String, Object> last = new LinkedHashMap<>();
      last.put("reason", lower(f.reason()));
      last.put("status", f.status());
      last.put("at", f.at().toString());
      last.put("messagesSinceDelivery", f.messagesSinceDelivery());
      details.put("lastFailure", last);
    });
    details.put("accepted", s.accepted());
    details.put("delivered", s.delivered());
    details.put("failed", s.failed());
    details.put("dropped", s.dropped());
    details.put("pending", s.pending());
    details.put("queued", s.queued());
    details.put("inFlight", s.inFlight());
    details.put("queuedBytes", s.queuedBytes());
    details.put("retries", s.retries());
    details.put("spooled", s.spooled());
    details.put("spoolDegraded", s.spoolDegraded());
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
      details.put("failedByReason", failed);
    }
    if (!dropped.isEmpty()) {
      details.put("droppedByReason", dropped);
    }
    return new Result(status, details);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
