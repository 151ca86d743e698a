package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.Analytics;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.MessageIds;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every {@link Transport} passes: extend it, say how to make the transport
 * and how to see what its receiver recorded, and the tests below run against it.
 *
 * <pre>{@code
 * class MyTransportTest extends TransportCompatibilityKit {
 *   protected Transport newTransport() { return new MyTransport(server.uri()); }
 *   protected MessageRecorder receiver() { return server; }
 * }
 * }</pre>
 */
public abstract class TransportCompatibilityKit {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private Transport transport;

  /** Creates a kit; subclasses are JUnit test classes. */
  protected TransportCompatibilityKit() {}

  /**
   * Creates a new transport pointed at {@link #receiver()}.
   *
   * @return the transport under test
   */
  protected abstract Transport newTransport();

  /**
   * Returns what records the messages the transport delivered.
   *
   * @return the receiver
   */
  protected abstract MessageRecorder receiver();

  /**
   * Makes the receiver answer the next {@code n} requests with an HTTP-like status instead of
   * accepting them. Receivers that cannot do this return false and the tests that need it are
   * skipped.
   *
   * @param n how many requests
   * @param status e.g. 503 or 400
   * @return true when scripted
   */
  protected boolean failNext(int n, int status) {
    return false;
  }

  /**
   * Returns the transport the current test uses.
   *
   * @return the transport made for this test
   */
  protected final Transport transport() {
    return transport;
  }

  @BeforeEach
  final void openTransport() {
    receiver().reset();
    transport = newTransport();
  }

  @AfterEach
  final void closeTransport() throws Exception {
    if (transport != null) {
      transport.close();
    }
  }

  private static SendResult sendNow(Transport t, Batch b) throws Exception {
    return t.send(b).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void deliversEveryFieldExactlyAsSerialized() throws Exception {
    Track track = Track.builder("Order Completed")
        .userId("user_123").anonymousId("anon-1")
        .properties(Map.of("revenue", new BigDecimal("99.99"), "currency", "EUR",
            "products", List.of(Map.of("sku", "SKU-1", "price", 89.99, "name", "Läufer 🏃"))))
        .context(Map.of("traits", Map.of("email", "john@example.com")))
        .integrations(Map.of("All", true))
        .timestamp(Instant.parse("2024-01-15T10:30:00Z"))
        .messageId(MessageIds.stable("order", "ORD-123", "Order Completed"))
        .build();
    SendResult r = sendNow(transport, Batch.of(List.of(track)));
    assertThat(r.outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    CapturedMessage m = receiver().awaitMessages(1, WAIT).get(0);
    assertThat(m.type()).isEqualTo("track");
    assertThat(m.event()).isEqualTo("Order Completed");
    assertThat(m.userId()).isEqualTo("user_123");
    assertThat(m.anonymousId()).isEqualTo("anon-1");
    assertThat(m.messageId()).isEqualTo(track.messageId());
    assertThat(m.timestamp()).isEqualTo("2024-01-15T10:30:00.000Z");
    assertThat(new BigDecimal(m.get("properties.revenue").toString())).isEqualByComparingTo("99.99");
    assertThat(m.get("properties.products[0].name")).isEqualTo("Läufer 🏃");
    assertThat(m.get("context.traits.email")).isEqualTo("john@example.com");
    assertThat(m.get("context.library.name")).isEqualTo("beacon-java");
    assertThat(m.get("integrations.All")).isEqualTo(true);
  }

  @Test
  void deliversEveryMessageOfABatchInOrder() throws Exception {
    List<Message> msgs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      msgs.add(Identify.builder().userId("u" + i).traits(Map.of("n", i)).build());
    }
    assertThat(sendNow(transport, Batch.of(msgs)).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    List<CapturedMessage> got = receiver().awaitMessages(300, WAIT);
    for (int i = 0; i < 300; i++) {
      assertThat(got.get(i).userId()).isEqualTo("u" + i);
    }
  }

  @Test
  void concurrentSendsUpToTheDeclaredLimitAreAllDelivered() throws Exception {
    int parallel = Math.max(1, Math.min(8, transport.maxConcurrentRequests()));
    List<CompletableFuture<SendResult>> futures = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int round = 0; round < 5; round++) {
      futures.clear();
      for (int p = 0; p < parallel; p++) {
        List<Message> msgs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          Track t = Track.builder("Tick").userId("u").properties(Map.of("i", i)).build();
          ids.add(t.messageId());
          msgs.add(t);
        }
        futures.add(transport.send(Batch.of(msgs)));
      }
      for (CompletableFuture<SendResult> f : futures) {
        assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      }
    }
    List<CapturedMessage> got = receiver().awaitMessages(ids.size(), WAIT);
    assertThat(got).extracting(CapturedMessage::messageId).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void classifiesAServerErrorAsRetryable() throws Exception {
    assumeTrue(failNext(1, 503), "receiver cannot script failures");
    SendResult r = sendNow(transport, Batch.of(List.of(Track.builder("E").userId("u").build())));
    assertThat(r.outcome()).isEqualTo(SendResult.Outcome.RETRYABLE);
    assertThat(r.status()).isEqualTo(503);
  }

  @Test
  void classifiesABadRequestAsPermanent() throws Exception {
    assumeTrue(failNext(1, 400), "receiver cannot script failures");
    SendResult r = sendNow(transport, Batch.of(List.of(Track.builder("E").userId("u").build())));
    assertThat(r.outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void retryCountIsVisibleToTheTransportAndTheResendIsDelivered() throws Exception {
    Batch b = Batch.of(List.of(Track.builder("E").userId("u").build()));
    assertThat(sendNow(transport, b.withRetryCount(3)).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    assertThat(receiver().awaitMessages(1, WAIT).get(0).messageId()).isEqualTo(b.messages().get(0).messageId());
  }

  @Test
  void deliversEverythingWhenDrivenByAnAnalyticsClient() {
    Analytics analytics = Analytics.builder("kit-write-key").transport(transport)
        .flushAt(100).shutdownHook(false).build();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      Track t = Track.builder("Kit Event").userId("user-" + (i % 50)).properties(Map.of("i", i)).build();
      ids.add(t.messageId());
      assertThat(analytics.enqueue(t)).isTrue();
    }
    assertThat(analytics.close(WAIT).complete()).isTrue();
    Stats s = analytics.stats();
    assertThat(s.delivered()).isEqualTo(2000);
    assertThat(s.failed()).isZero();
    assertThat(receiver().messages()).extracting(CapturedMessage::messageId).containsExactlyInAnyOrderElementsOf(ids);
    transport = null; // closed by the client
  }

  @Test
  void aSendAfterCloseFailsFastAsPermanent() throws Exception {
    transport.close();
    SendResult r = sendNow(transport, Batch.of(List.of(Track.builder("Late").userId("u").build())));
    // Retryable would make the engine retry a transport that can never send again.
    assertThat(r.outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
    assertThat(receiver().messages()).isEmpty();
    transport = null;
  }

  @Test
  void closeIsIdempotent() throws Exception {
    transport.close();
    transport.close();
    transport = null;
  }
}
