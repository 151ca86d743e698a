package dev.beacon.spring;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.ErrorHandler;
import dev.beacon.FailureReason;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the last final delivery failure of a client and whether anything was delivered since,
 * for {@link BeaconHealthIndicator}. It sees failures through the client's error callback
 * ({@link #errorHandler(ErrorHandler)}) and deliveries through {@code stats().delivered()}, so the
 * answer does not depend on when health is checked.
 *
 * <p>The auto-configuration wires it into the client it builds. For an {@code Analytics} bean of
 * your own, wire it the same way to get the same health states:
 *
 * <pre>{@code
 * @Bean BeaconDeliveryMonitor beaconDeliveryMonitor() { return new BeaconDeliveryMonitor(); }
 *
 * @Bean Analytics analytics(BeaconDeliveryMonitor monitor) {
 *   Analytics analytics = Analytics.builder(key).onError(monitor.errorHandler(myHandler)).build();
 *   monitor.attach(analytics);
 *   return analytics;
 * }
 * }</pre>
 */
public final class BeaconDeliveryMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(BeaconDeliveryMonitor.class);
  private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

  private final Clock clock;
  private final Object lock = new Object();
  private final AtomicLong nextLog = new AtomicLong(System.nanoTime());
  private final AtomicLong unlogged = new AtomicLong();
  private volatile Analytics analytics;
  /** Guarded by lock. */
  private Failure last;
  /** Guarded by lock: stats().delivered() when {@link #last} happened. */
  private long deliveredAtLast;

  /**
   * The last final failure, with how many messages failed since the last delivery.
   *
   * @param reason why the last messages failed
   * @param status the HTTP status of the last failure, 0 when there was none
   * @param at when the last failure was reported
   * @param messagesSinceDelivery messages failed since anything was last delivered (or since start)
   */
  public record Failure(FailureReason reason, int status, Instant at, long messagesSinceDelivery) {}

  /** A monitor on the system clock. */
  public BeaconDeliveryMonitor() {
    this(Clock.systemUTC());
  }

  BeaconDeliveryMonitor(Clock clock) {
    this.clock = clock;
  }

  /**
   * Returns an error callback that records each failure here, then calls {@code delegate}.
   * Without a delegate, failures are logged at WARN, at most one line every 5 seconds (as the
   * client does when it has no callback).
   *
   * @param delegate the application's callback, or null
   * @return the callback to give to {@code Analytics.Builder#onError}
   */
  public ErrorHandler errorHandler(ErrorHandler delegate) {
    return (error, messages) -> {
      record(error);
      if (delegate != null) {
        delegate.onError(error, messages);
      } else {
        log(error);
      }
    };
  }

  /**
   * Tells the monitor which client it watches, so that a later delivery clears a failure.
   *
   * @param analytics the client whose error callback came from {@link #errorHandler(ErrorHandler)}
   */
  public void attach(Analytics analytics) {
    this.analytics = Objects.requireNonNull(analytics, "analytics");
  }

  /**
   * Returns whether {@link #attach(Analytics)} was called with this client.
   *
   * @param client a client
   * @return true when this monitor watches it
   */
  public boolean watches(Analytics client) {
    return client != null && client == analytics;
  }

  /**
   * Returns the last failure when nothing was delivered after it.
   *
   * @return the failure, or empty when the last outcome was a delivery or nothing failed yet
   */
  public Optional<Failure> failureSinceLastDelivery() {
    long delivered = delivered();
    synchronized (lock) {
      return last != null && delivered == deliveredAtLast ? Optional.of(last) : Optional.empty();
    }
  }

  private void record(DeliveryException error) {
    long delivered = delivered();
    synchronized (lock) {
      long before = last != null && delivered == deliveredAtLast ? last.messagesSinceDelivery() : 0;
      last = new Failure(error.reason(), error.status(), clock.instant(), before + error.messageCount());
      deliveredAtLast = delivered;
    }
  }

  private long delivered() {
    Analytics a = analytics;
    return a == null ? 0 : a.stats().delivered();
  }

  private void log(DeliveryException error) {
    long now = System.nanoTime();
    long next = nextLog.get();
    if (now - next >= 0 && nextLog.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
      long skipped = unlogged.getAndSet(0);
      LOG.warn("Beacon could not deliver {} message(s): {}{}", error.messageCount(), error.getMessage(),
          skipped == 0 ? "" : " (" + skipped + " earlier failure report(s) not logged)");
    } else {
      unlogged.incrementAndGet();
    }
  }

  @Override
  public String toString() {
    return "BeaconDeliveryMonitor{last=" + failureSinceLastDelivery().orElse(null) + "}";
  }
}
