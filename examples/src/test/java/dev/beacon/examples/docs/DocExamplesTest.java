package dev.beacon.examples.docs;

import static dev.beacon.testkit.BeaconAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FailureReason;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.Stats;
import dev.beacon.examples.docs.BestPracticeExamples.BackfillResult;
import dev.beacon.examples.docs.BestPracticeExamples.Order;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs every example the docs quote against a capture and checks what it sends. */
class DocExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final CapturingTransport capture = new CapturingTransport();
  private final List<Analytics> clients = new ArrayList<>();

  private Analytics client(Function<CapturingTransport, Analytics> factory) {
    Analytics a = factory.apply(capture);
    clients.add(a);
    return a;
  }

  private Analytics plainClient() {
    return client(t -> Analytics.builder("test-key").transport(t).shutdownHook(false).build());
  }

  @AfterEach
  void closeClients() {
    clients.forEach(Analytics::close);
  }

  private void flushed(Analytics analytics) {
    assertThat(analytics.flush(WAIT).isSuccess()).as("flush succeeded").isTrue();
  }

  @Test
  void setupExamplesBuildWorkingClients() {
    Analytics basic = client(SetupExamples::basicSetup);
    Analytics env = client(t -> SetupExamples.fromEnvironment(
        Map.of("SEGMENT_WRITE_KEY", "key-from-env", "SEGMENT_DEBUG", "true"), t));
    Analytics eu = client(t -> SetupExamples.euRegion("eu-key", t));
    basic.track("u1", "Basic");
    env.track("u1", "Env");
    eu.track("u1", "Eu");
    flushed(basic);
    flushed(env);
    flushed(eu);
    assertThat(capture).hasMessageCount(3);
    assertThat(eu.toString()).contains("https://events.eu1.segmentapis.com").doesNotContain("eu-key");
  }

  @Test
  void aMissingWriteKeyInTheEnvironmentFailsAtTheBuilder() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SetupExamples.fromEnvironment(Map.of(), capture))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SEGMENT_WRITE_KEY");
  }

  @Test
  void productionPatternDeliversAndCloses() {
    FlushResult result = SetupExamples.productionPattern("key", capture);
    assertThat(result.isSuccess()).isTrue();
    assertThat(capture).hasIdentified("123").withTrait("email", "user@example.com");
    assertThat(capture).hasTracked("Order Completed").withProperty("revenue", 99.99);
    assertThat(capture.isClosed()).isTrue();
  }

  @Test
  void flushMechanismWaitsForDelivery() {
    Analytics analytics = plainClient();
    FlushResult result = CallExamples.flushMechanism(analytics);
    assertThat(result.complete()).isTrue();
    assertThat(result.pending()).isZero();
    assertThat(capture).hasMessageCount(2);
    assertThat(capture).hasTracked("Order Completed").withProperty("total", 99.99).withUserId("123");
  }

  @Test
  void identifyExamplesSendTraitsContextAndIds() {
    Analytics analytics = plainClient();
    CallExamples.identifyBasic(analytics);
    flushed(analytics);
    assertThat(capture).hasIdentified("user_123").withTrait("firstName", "John").withTrait("lastName", "Doe");
    capture.reset();

    assertThat(CallExamples.identifyFull(analytics)).isTrue();
    flushed(analytics);
    assertThat(capture).hasIdentified("user_123")
        .withMessageId("unique-id-123")
        .withTrait("address.postalCode", "94105")
        .withTrait("createdAt", "2024-01-15T10:30:00.000Z")
        .withTrait("lifetimeValue", 1250)
        .withValue("context.externalIds[0].id", "CUST_12345")
        .withValue("context.library.name", "beacon-java");
  }

  @Test
  void trackExamplesSendTheEcommerceFields() {
    Analytics analytics = plainClient();
    CallExamples.trackBasic(analytics);
    assertThat(CallExamples.trackFull(analytics)).isTrue();
    flushed(analytics);
    assertThat(capture).hasMessageCount(2);
    assertThat(capture).hasMessageWithId(dev.beacon.MessageIds.stable("order", "ORD-12345", "Order Completed"))
        .withProperty("revenue", 99.99)
        .withProperty("products[0].sku", "SKU-001")
        .withProperty("products[0].quantity", 1)
        .withProperty("paymentMethod", "Credit Card")
        .withValue("context.traits.email", "john@example.com");
  }

  @Test
  void pageScreenGroupAndAliasExamplesSendTheirFields() {
    Analytics analytics = plainClient();
    CallExamples.page(analytics);
    CallExamples.screen(analytics);
    CallExamples.group(analytics);
    CallExamples.alias(analytics);
    flushed(analytics);
    assertThat(capture).hasMessageCount(8);
    List<CapturedMessage> msgs = capture.messages();
    assertThat(msgs).extracting(CapturedMessage::type)
        .containsExactly("page", "page", "screen", "screen", "group", "group", "alias", "alias");
    assertThat(msgs.get(1).anonymousId()).isEqualTo("anon_999");
    assertThat(msgs.get(1).get("category")).isEqualTo("Footwear");
    assertThat(msgs.get(3).name()).isEqualTo("Product Detail");
    assertThat(msgs.get(5).groupId()).isEqualTo("company_42");
    assertThat(msgs.get(5).get("traits.employees").toString()).isEqualTo("250");
    assertThat(msgs.get(7).previousId()).isEqualTo("anon_999");
    assertThat(msgs.get(7).timestamp()).isEqualTo("2024-01-15T10:30:00.000Z");
  }

  @Test
  void bestPracticeExamplesSendStableIdsAndRealTimes() {
    Analytics analytics = plainClient();
    BestPracticeExamples.stableUserId(analytics, Map.of("plan", "premium"));
    assertThat(BestPracticeExamples.stableMessageId(analytics)).isEqualTo("bfa171f6-bc74-78ff-7ef0-e7b5a6a85826");
    BestPracticeExamples.historicalTimestamp(analytics);
    BestPracticeExamples.contextForIdentity(analytics);
    flushed(analytics);
    assertThat(capture).hasIdentified("db_user_12345").withTrait("plan", "premium");
    assertThat(capture).hasMessageWithId("bfa171f6-bc74-78ff-7ef0-e7b5a6a85826").withProperty("orderId", "ORD-123");
    assertThat(capture.messages()).filteredOn(m -> "ORD-77".equals(m.get("properties.orderId")))
        .singleElement().extracting(CapturedMessage::timestamp).isEqualTo("2024-01-15T10:30:00.000Z");
    assertThat(capture.messages()).filteredOn(m -> "ORD-78".equals(m.get("properties.orderId")))
        .singleElement().extracting(m -> m.get("context.traits.email")).isEqualTo("john@example.com");
  }

  @Test
  void backfillDeliversEveryOrderOnceWithItsTimeEvenWhenRunTwice() {
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      orders.add(new Order("ORD-" + i, "user_" + (i % 50), i, Instant.parse("2024-01-15T10:30:00Z").plusSeconds(i)));
    }
    capture.latency(Duration.ofMillis(2));
    Analytics analytics = client(t -> BestPracticeExamples.backfillClient("key", t));
    BackfillResult first = BestPracticeExamples.backfill(analytics, orders);
    assertThat(first.refused()).isZero();
    assertThat(first.flush().isSuccess()).isTrue();
    assertThat(capture).hasMessageCount(3000).hasNoDuplicateMessageIds();
    assertThat(capture).hasMessageWithId(dev.beacon.MessageIds.stable("order", "ORD-42", "Order Completed"))
        .withTimestamp("2024-01-15T10:30:42.000Z").withUserId("user_42");
    // A re-run sends the same ids, so Segment drops the duplicates downstream.
    List<String> firstIds = capture.messages().stream().map(CapturedMessage::messageId).toList();
    capture.reset();
    BestPracticeExamples.backfill(analytics, orders);
    assertThat(capture.messages().stream().map(CapturedMessage::messageId).toList())
        .containsExactlyInAnyOrderElementsOf(firstIds);
  }

  @Test
  void errorCallbackKeepsWhatWasNotDelivered() {
    Queue<Message> undelivered = new ConcurrentLinkedQueue<>();
    capture.failNext(1, Fault.permanent(400));
    Analytics analytics = client(t -> ErrorHandlingExamples.withErrorCallback("key", t, undelivered));
    analytics.track("u1", "Refused");
    FlushResult r = analytics.flush(WAIT);
    assertThat(r.complete()).isTrue();
    assertThat(r.failedDuringWait()).isEqualTo(1);
    assertThat(undelivered).hasSize(1);
    assertThat(analytics.enqueue(undelivered.poll())).isTrue();   // re-enqueued later: delivered
    flushed(analytics);
    assertThat(capture).hasTracked("Refused");
  }

  @Test
  void anUnauthorizedFailureIsNotKept() {
    Queue<Message> undelivered = new ConcurrentLinkedQueue<>();
    capture.failNext(1, Fault.permanent(401));
    Analytics analytics = client(t -> ErrorHandlingExamples.withErrorCallback("key", t, undelivered));
    analytics.track("u1", "Refused");
    analytics.flush(WAIT);
    assertThat(undelivered).isEmpty();
    assertThat(analytics.stats().failed(FailureReason.UNAUTHORIZED)).isEqualTo(1);
  }

  @Test
  void retryAfterWaitsDoNotSpendTheRetryBudget() {
    capture.failNext(10, Fault.retryAfter(503, Duration.ofMillis(1)));
    Analytics analytics = client(t -> ErrorHandlingExamples.withRetryPolicy("key", t));
    analytics.track("u1", "Retried");
    flushed(analytics);                 // Retry-After waits are not retries: ten of them, then delivered
    assertThat(analytics.stats().retries()).isEqualTo(10);
    assertThat(capture).hasTracked("Retried");
  }

  @Test
  void syncModeExampleReturnsTheStatusOfAFinalFailure() {
    assertThat(ErrorHandlingExamples.syncMode("key", capture)).isZero();
    assertThat(capture).hasTracked("Test");
    capture.reset();
    capture.failNext(1, Fault.permanent(400));
    assertThat(ErrorHandlingExamples.syncMode("key", capture)).isEqualTo(400);
    assertThat(capture).isEmpty();
  }

  @Test
  void statsExampleShowsConservation() {
    Analytics analytics = plainClient();
    analytics.track("u1", "A");
    analytics.track("u1", "B");
    flushed(analytics);
    Stats s = ErrorHandlingExamples.monitoring(analytics);
    assertThat(s.accepted()).isEqualTo(s.delivered() + s.failed() + s.notSent() + s.pending()).isEqualTo(2);
  }

  @Test
  void testingExamplesPass() {
    Stats s = TestingExamples.sendFalse();
    assertThat(s.accepted()).isEqualTo(2);
    assertThat(s.notSent()).isEqualTo(2);
    assertThat(s.delivered()).isZero();
    TestingExamples.capture();
    TestingExamples.faults();
  }

  @Test
  void configurationExamplesBuildAndDeliver() {
    List<Function<CapturingTransport, Analytics>> factories = List.of(
        t -> ConfigurationExamples.everyOption("key", t),
        t -> ConfigurationExamples.shortLived("key", t),
        t -> ConfigurationExamples.highVolume("key", t),
        t -> ConfigurationExamples.ownThreads("key", t));
    for (Function<CapturingTransport, Analytics> f : factories) {
      Analytics analytics = client(f);
      analytics.track("u1", "Configured");
      flushed(analytics);
    }
    assertThat(capture).hasMessageCount(4);
  }

  @Test
  void ownThreadFactoryNamesBeaconsThreads() {
    Analytics analytics = client(t -> ConfigurationExamples.ownThreads("key", t));
    analytics.track("u1", "Named");
    flushed(analytics);
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .anyMatch(name -> name.startsWith("analytics-"));
  }
}
