package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.RetryPolicy;
import dev.beacon.Track;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.kafka.KafkaTransport;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Its own broker, since it stops it: the producer side and the relay both ride out a broker restart. */
class BrokerRestartTest {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();
  private static final String KEY = "restart-write-key";
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final RetryPolicy FAST = RetryPolicy.builder().baseDelay(Duration.ofMillis(50))
      .maxDelay(Duration.ofMillis(500)).maxRetries(Integer.MAX_VALUE).build();

  @Test
  void aBrokerStoppedAndRestartedMidRunLosesNothing() throws Exception {
    BROKER.createTopic("restart", 2);
    BROKER.createTopic("restart.dlq", 1);
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      KafkaRelay relay = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("restart")
          .groupId("restart-group")
          .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
          .retryPolicy(FAST).linger(Duration.ofMillis(50)).commitInterval(Duration.ofMillis(200))
          .build().start();
      Set<String> ids = new HashSet<>();
      Analytics app = Analytics.builder(KEY)
          .transport(KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic("restart")
              .producerProperty("max.block.ms", 1000).build())
          .retryPolicy(FAST).flushAt(100).shutdownHook(false).build();
      try {
        send(app, ids, 0, 1000);
        Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= 500, () -> "before: " + collector.stats());
        BROKER.stopBroker();
        send(app, ids, 1000, 2000);   // accepted by the client while the broker is down
        BROKER.startBroker();
        send(app, ids, 2000, 3000);
        assertThat(app.flush(GUARD).complete()).isTrue();
        assertThat(app.stats().failed()).isZero();
        Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= ids.size(),
            () -> "after: " + collector.stats() + ", relay " + relay.stats());
        Set<String> got = new HashSet<>();
        collector.messages().forEach(m -> got.add(m.messageId()));
        assertThat(got).isEqualTo(ids);
        assertThat(relay.stats().deadLettered()).isZero();
      } finally {
        app.close(Duration.ofSeconds(10));
        relay.close(Duration.ofSeconds(10));
      }
    }
  }

  private static void send(Analytics app, Set<String> ids, int from, int to) {
    for (int i = from; i < to; i++) {
      Track t = Track.builder("Restart").userId("user-" + (i % 25)).properties(Map.of("i", i)).build();
      ids.add(t.messageId());
      assertThat(app.enqueue(t)).isTrue();
    }
  }
}
