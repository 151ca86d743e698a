package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application writing to a topic that does not exist, on brokers that do not create topics:
 * it used to wait out its whole flush timeout and report {@code SHUTDOWN}, with only Kafka's own
 * log line (shown only with an SLF4J binding) naming the topic.
 */
class KafkaTransportMissingTopicTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();

  @Test
  void aMissingTopicIsLoggedOnceByNameAndTheBatchIsReportedWithKafkasReasonWhenTheRetriesAreSpent() throws Exception {
    List<DeliveryException> errors = new CopyOnWriteArrayList<>();
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Analytics app;
    boolean flushed;
    try {
      KafkaTransport t = KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic("no-such-topic")
          .producerProperty("max.block.ms", 500).build();
      app = Analytics.builder("unused-write-key").transport(t).shutdownHook(false)
          .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(50))
              .maxRetries(2).build())
          .onError((e, m) -> errors.add(e)).build();
      for (int i = 0; i < 5; i++) {
        app.track("user-" + i, "Lost");
      }
      // Well within the flush timeout: the retry policy, not the timeout, ends the wait.
      flushed = app.flush(Duration.ofSeconds(90)).complete();
      app.close(Duration.ofSeconds(10));
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    originalErr.print(log);
    assertThat(flushed).isTrue();
    assertThat(errors).isNotEmpty();
    assertThat(errors).allSatisfy(e -> {
      assertThat(e.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
      assertThat(e.getMessage()).contains("no-such-topic").contains("TimeoutException");
    });
    List<String> warnings = log.lines().filter(l -> l.contains("WARN") && l.contains("Beacon's Kafka transport"))
        .toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("topic no-such-topic").contains("not present in metadata");
  }
}
