package dev.beacon.micrometer;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Stats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Exports a Beacon client's counters to a Micrometer registry: function counters and gauges that
 * read the client's own {@link Analytics#stats()} when the registry asks, so nothing is counted
 * twice and nothing is added to the hot path.
 *
 * <pre>{@code
 * new BeaconMetrics(analytics, "orders").bindTo(registry);
 * }</pre>
 *
 * <p>Every meter carries the tag {@value #CLIENT_TAG} with the client's name, so that one
 * application can bind several clients. Counters (Prometheus adds {@code _total}):
 * <ul>
 *   <li>{@code beacon.messages.accepted}: calls that returned {@code true}</li>
 *   <li>{@code beacon.messages.recovered}: messages found in the spool at start, left by an earlier run</li>
 *   <li>{@code beacon.messages.delivered}: messages the API acknowledged</li>
 *   <li>{@code beacon.messages.failed}, tag {@value #REASON_TAG} (a {@link FailureReason}, lower case):
 *       messages handed to the error callback</li>
 *   <li>{@code beacon.messages.dropped}, tag {@value #REASON_TAG} (a {@link DropReason}, lower case):
 *       calls that returned {@code false}</li>
 *   <li>{@code beacon.messages.not.sent}: messages processed with {@code send(false)}</li>
 *   <li>{@code beacon.requests}: send attempts, first attempts and retries</li>
 *   <li>{@code beacon.requests.retries}: send attempts that were retries</li>
 *   <li>{@code beacon.batches.delivered}: batches the API acknowledged</li>
 *   <li>{@code beacon.callback.errors}: exceptions thrown by the error callback</li>
 * </ul>
 * Gauges:
 * <ul>
 *   <li>{@code beacon.messages.pending}: accepted, not yet delivered or failed</li>
 *   <li>{@code beacon.queue.messages}: pending messages still in the ring</li>
 *   <li>{@code beacon.queue.bytes}: estimated serialized bytes of pending messages</li>
 *   <li>{@code beacon.messages.in.flight}: pending messages in batches being built, sent or retried</li>
 *   <li>{@code beacon.spool.messages}: messages in the spool not yet delivered or reported</li>
 *   <li>{@code beacon.spool.degraded}: 1 while the spool cannot be written, else 0</li>
 * </ul>
 *
 * <p>Counts carry no base unit, so that Prometheus names stay as above
 * ({@code beacon_messages_delivered_total}); {@code beacon.queue.bytes} is in bytes.
 *
 * <p>Each reading takes a fresh {@link Stats} snapshot (a few atomic reads and two small maps),
 * so a scrape costs about as many snapshots as meters; registries read rarely, so this is cheap.
 * The meters hold the client weakly, as Micrometer's binders do: a client that was garbage
 * collected reads {@code NaN}. {@link #close()} removes the meters this binder registered.
 */
public final class BeaconMetrics implements MeterBinder, AutoCloseable {
  /** The tag naming the client. */
  public static final String CLIENT_TAG = "client";
  /** The tag of a failure or drop reason. */
  public static final String REASON_TAG = "reason";
  /** The client name used by {@link #BeaconMetrics(Analytics)}. */
  public static final String DEFAULT_CLIENT_NAME = "default";

  private final Analytics analytics;
  private final Tags tags;
  private final List<Registered> registered = new ArrayList<>();

  private record Registered(MeterRegistry registry, Meter meter) {}

  /**
   * Metrics for a client named {@value #DEFAULT_CLIENT_NAME}.
   *
   * @param analytics the client
   */
  public BeaconMetrics(Analytics analytics) {
    this(analytics, DEFAULT_CLIENT_NAME, Tags.empty());
  }

  /**
   * Metrics for a named client.
   *
   * @param analytics the client
   * @param clientName the value of the {@value #CLIENT_TAG} tag, e.g. the source's name
   */
  public BeaconMetrics(Analytics analytics, String clientName) {
    this(analytics, clientName, Tags.empty());
  }

  /**
   * Metrics for a named client, with extra tags on every meter.
   *
   * @param analytics the client
   * @param clientName the value of the {@value #CLIENT_TAG} tag
   * @param extraTags more tags for every meter (low cardinality)
   * @throws IllegalArgumentException when the client name is blank
   */
  public BeaconMetrics(Analytics analytics, String clientName, Iterable<Tag> extraTags) {
    this.analytics = Objects.requireNonNull(analytics, "analytics");
    if (clientName == null || clientName.isBlank()) {
      throw new IllegalArgumentException("clientName must not be blank but was " + clientName);
    }
    this.tags = Tags.of(extraTags).and(CLIENT_TAG, clientName);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    counter(registry, "beacon.messages.accepted", "Calls accepted (returned true)", Stats::accepted);
    counter(registry, "beacon.messages.recovered", "Messages found in the spool at start, left by an earlier run",
        Stats::recovered);
    counter(registry, "beacon.messages.delivered", "Messages the API acknowledged", Stats::delivered);
    for (FailureReason reason : FailureReason.values()) {
      add(registry, FunctionCounter.builder("beacon.messages.failed", analytics,
              a -> a.stats().failed(reason))
          .description("Accepted messages finally not delivered, handed to the error callback")
          .tags(tags).tag(REASON_TAG, tagValue(reason))
          .register(registry));
    }
    for (DropReason reason : DropReason.values()) {
      add(registry, FunctionCounter.builder("beacon.messages.dropped", analytics,
              a -> a.stats().dropped(reason))
          .description("Calls refused (returned false), never accepted")
          .tags(tags).tag(REASON_TAG, tagValue(reason))
          .register(registry));
    }
    counter(registry, "beacon.messages.not.sent", "Messages processed with send(false), never sent", Stats::notSent);
    counter(registry, "beacon.requests", "Send attempts (first attempts and retries)", Stats::requests);
    counter(registry, "beacon.requests.retries", "Send attempts that were retries", Stats::retries);
    counter(registry, "beacon.batches.delivered", "Batches the API acknowledged", Stats::batches);
    counter(registry, "beacon.callback.errors", "Exceptions thrown by the error callback", Stats::callbackErrors);
    counter(registry, "beacon.spool.sync.timeouts",
        "OS_CRASH calls that returned without a sync covering their message (slow or failed sync)",
        Stats::spoolSyncTimeouts);
    counter(registry, "beacon.spool.lock.bypasses",
        "Calls that took the ring past a busy spool append lock instead of appending their own message",
        Stats::spoolLockBypasses);

    gauge(registry, "beacon.messages.pending", "Accepted messages not yet delivered or failed", null,
        a -> a.stats().pending());
    gauge(registry, "beacon.queue.messages", "Pending messages still in the ring, not yet batched", null,
        a -> a.stats().queued());
    gauge(registry, "beacon.queue.bytes", "Estimated serialized bytes of pending messages", BaseUnits.BYTES,
        a -> a.stats().queuedBytes());
    gauge(registry, "beacon.messages.in.flight", "Pending messages in batches being built, sent or retried", null,
        a -> a.stats().inFlight());
    gauge(registry, "beacon.spool.messages", "Messages in the spool not yet delivered or reported", null,
        a -> a.stats().spooled());
    gauge(registry, "beacon.spool.degraded", "1 while the spool cannot be written (messages kept in memory only)",
        null, a -> a.stats().spoolDegraded() ? 1 : 0);
  }

  private void counter(MeterRegistry registry, String name, String description, ToLongFunction<Stats> read) {
    add(registry, FunctionCounter.builder(name, analytics, a -> read.applyAsLong(a.stats()))
        .description(description)
        .tags(tags)
        .register(registry));
  }

  private void gauge(MeterRegistry registry, String name, String description, String unit,
      ToDoubleFunction<Analytics> read) {
    add(registry, Gauge.builder(name, analytics, read)
        .description(description)
        .baseUnit(unit)
        .tags(tags)
        .register(registry));
  }

  private void add(MeterRegistry registry, Meter meter) {
    synchronized (registered) {
      registered.add(new Registered(registry, meter));
    }
  }

  static String tagValue(Enum<?> reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Removes the meters this binder registered, from every registry it was bound to. The client is
   * not closed. Safe to call more than once.
   */
  @Override
  public void close() {
    List<Registered> copy;
    synchronized (registered) {
      copy = List.copyOf(registered);
      registered.clear();
    }
    for (Registered r : copy) {
      r.registry().remove(r.meter());
    }
  }

  @Override
  public String toString() {
    return "BeaconMetrics{tags=" + tags + "}";
  }
}
