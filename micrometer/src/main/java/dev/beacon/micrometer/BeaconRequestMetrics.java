package dev.beacon.micrometer;

import dev.beacon.DeliveryObserver;
import dev.beacon.spi.SendResult;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Request metrics of a Beacon client, fed by the engine as each send attempt settles: a timer and
 * two distribution summaries. It is a {@link DeliveryObserver}, so it must be given to the builder
 * before the client is built; bind it to a registry before or after.
 *
 * <pre>{@code
 * BeaconRequestMetrics requests = new BeaconRequestMetrics("orders");
 * Analytics analytics = Analytics.builder(writeKey).deliveryObserver(requests).build();
 * requests.bindTo(registry);
 * new BeaconMetrics(analytics, "orders").bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li>{@code beacon.requests.duration}, tag {@code outcome} ({@code delivered}, {@code retryable},
 *       {@code permanent}, {@code too_large}): time from the hand-over to the transport until its
 *       answer, one per attempt (a network error or a timed-out attempt is {@code retryable})</li>
 *   <li>{@code beacon.batches.messages}: messages per attempt</li>
 *   <li>{@code beacon.batches.bytes}: request body bytes per attempt, before compression</li>
 * </ul>
 * Attempts that settle before {@link #bindTo} are not recorded. Every meter carries the
 * {@value BeaconMetrics#CLIENT_TAG} tag, as {@link BeaconMetrics}' do.
 */
public final class BeaconRequestMetrics implements DeliveryObserver, MeterBinder {
  private final Tags tags;
  private volatile Bound bound;

  /**
   * Request metrics for a named client.
   *
   * @param clientName the value of the {@value BeaconMetrics#CLIENT_TAG} tag
   * @throws IllegalArgumentException when the name is blank
   */
  public BeaconRequestMetrics(String clientName) {
    this(clientName, Tags.empty());
  }

  /**
   * Request metrics for a named client, with extra tags on every meter.
   *
   * @param clientName the value of the {@value BeaconMetrics#CLIENT_TAG} tag
   * @param extraTags more tags for every meter (low cardinality)
   * @throws IllegalArgumentException when the name is blank
   */
  public BeaconRequestMetrics(String clientName, Iterable<Tag> extraTags) {
    if (clientName == null || clientName.isBlank()) {
      throw new IllegalArgumentException("clientName must not be blank but was " + clientName);
    }
    this.tags = Tags.of(extraTags).and(BeaconMetrics.CLIENT_TAG, clientName);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    Map<SendResult.Outcome, Timer> timers = new EnumMap<>(SendResult.Outcome.class);
    for (SendResult.Outcome o : SendResult.Outcome.values()) {
      timers.put(o, Timer.builder("beacon.requests.duration")
          .description("Time from handing a batch to the transport until its answer, per attempt")
          .tags(tags).tag("outcome", o.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    DistributionSummary messages = DistributionSummary.builder("beacon.batches.messages")
        .description("Messages per send attempt").tags(tags).register(registry);
    DistributionSummary bytes = DistributionSummary.builder("beacon.batches.bytes")
        .description("Request body bytes per send attempt, before compression").baseUnit("bytes")
        .tags(tags).register(registry);
    bound = new Bound(timers, messages, bytes);
  }

  @Override
  public void onAttempt(int messages, int bodyBytes, int retryCount, SendResult.Outcome outcome, int status,
      long durationNanos) {
    Bound b = bound;
    if (b == null) {
      return;
    }
    b.timers.get(outcome).record(durationNanos, TimeUnit.NANOSECONDS);
    b.messages.record(messages);
    b.bytes.record(bodyBytes);
  }

  @Override
  public String toString() {
    return "BeaconRequestMetrics" + tags;
  }

  private record Bound(Map<SendResult.Outcome, Timer> timers, DistributionSummary messages,
      DistributionSummary bytes) {}
}
