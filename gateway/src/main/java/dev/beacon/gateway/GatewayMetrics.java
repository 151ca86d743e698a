package dev.beacon.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The gateway's meters: requests by route and status, events accepted by source, requests refused
 * by reason, append latency, sink readiness, open connections and body bytes held. Tag values come
 * from fixed sets or from the keys file's source names, so cardinality stays bounded.
 */
final class GatewayMetrics {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer append;

  GatewayMetrics(MeterRegistry registry, Sink sink, Supplier<Number> connections, Supplier<Number> pendingBytes) {
    this.registry = registry;
    this.append = Timer.builder("gateway.sink.append").description("Time from a request's append to its sink's answer")
        .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("gateway.sink.ready", sink, s -> s.ready() ? 1 : 0)
        .description("1 while the sink takes events, else 0").register(registry);
    Gauge.builder("gateway.connections", connections, s -> s.get().doubleValue())
        .description("Open client connections").register(registry);
    Gauge.builder("gateway.pending.bytes", pendingBytes, s -> s.get().doubleValue())
        .description("Request body bytes held, not yet answered").register(registry);
  }

  void request(String route, int status) {
    counter("gateway.requests", "route", route, "status", Integer.toString(status)).increment();
  }

  void accepted(String source, int events) {
    counter("gateway.events.accepted", "source", source, null, null).increment(events);
  }

  void rejected(String reason, int events) {
    counter("gateway.events.rejected", "reason", reason, null, null).increment(events);
  }

  void appendTook(Duration d) {
    append.record(d);
  }

  private Counter counter(String name, String k1, String v1, String k2, String v2) {
    String id = name + '\0' + v1 + '\0' + v2;
    Counter c = counters.get(id);
    if (c == null) {
      Counter.Builder b = Counter.builder(name).tag(k1, v1);
      if (k2 != null) {
        b.tag(k2, v2);
      }
      c = counters.computeIfAbsent(id, x -> b.register(registry));
    }
    return c;
  }
}
