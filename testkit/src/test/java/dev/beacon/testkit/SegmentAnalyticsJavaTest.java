package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Segment's own Java SDK (analytics-java 3.5.4, shipped defaults apart from the endpoint) against
 * the collector: it posts to {@code /v1/import/}, puts the write key in the body only, and
 * {@code context.library} at batch level. Every call must arrive with its fields intact.
 */
class SegmentAnalyticsJavaTest {
  private static final String KEY = "analytics-java-key";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Instant WHEN = Instant.parse("2024-01-15T10:30:00.123Z");

  @RegisterExtension
  static final CollectorExtension COLLECTOR = new CollectorExtension(b -> b.writeKey(KEY));

  private final List<String> failures = new CopyOnWriteArrayList<>();
  private Analytics analytics;

  @BeforeEach
  void startAnalyticsJava() {
    analytics = Analytics.builder(KEY)
        .endpoint(COLLECTOR.uri().toString())
        .callback(new Callback() {
          @Override
          public void success(Message message) {}

          @Override
          public void failure(Message message, Throwable throwable) {
            failures.add(message.type() + ": " + throwable);
          }
        })
        .build();
  }

  @AfterEach
  void stopAnalyticsJava() {
    analytics.shutdown();
  }

  @Test
  void allSixCallsArriveWithTheirFieldsIntact() {
    Map<String, Object> nested = Map.of(
        "order", Map.of("id", "ORD-1", "total", new BigDecimal("19.99"),
            "items", List.of(Map.of("sku", "A-1", "qty", 2), Map.of("sku", "B-2", "qty", 1))),
        "note", "Grüße aus Köln — 東京 🎉",
        "gift", true);
    analytics.enqueue(IdentifyMessage.builder().userId("user-ü-1")
        .traits(Map.of("name", "Zoë Ångström", "address", Map.of("city", "Zürich", "country", "CH")))
        .timestamp(Date.from(WHEN)));
    analytics.enqueue(TrackMessage.builder("Café Ordered ☕").userId("user-ü-1").properties(nested)
        .context(Map.of("ip", "203.0.113.9", "locale", "de-CH"))
        .enableIntegration("Amplitude", false)
        .timestamp(Date.from(WHEN)));
    analytics.enqueue(PageMessage.builder("Startseite").anonymousId("anon-1")
        .properties(Map.of("path", "/de/start", "title", "Willkommen")));
    analytics.enqueue(ScreenMessage.builder("Einstellungen").userId("user-ü-1")
        .properties(Map.of("section", "Privatsphäre")));
    analytics.enqueue(GroupMessage.builder("org-42").userId("user-ü-1")
        .traits(Map.of("name", "Acme AG", "employees", 120)));
    analytics.enqueue(AliasMessage.builder("anon-1").userId("user-ü-1"));
    analytics.flush();

    List<CapturedMessage> got = COLLECTOR.server().awaitMessages(6, WAIT);

    assertThat(failures).isEmpty();
    assertThat(got).extracting(CapturedMessage::type)
        .containsExactlyInAnyOrder("identify", "track", "page", "screen", "group", "alias");
    Map<String, CapturedMessage> byType = got.stream()
        .collect(Collectors.toMap(CapturedMessage::type, Function.identity()));

    CapturedMessage identify = byType.get("identify");
    assertThat(identify.userId()).isEqualTo("user-ü-1");
    assertThat(identify.traits()).containsEntry("name", "Zoë Ångström");
    assertThat(identify.get("traits.address.city")).isEqualTo("Zürich");
    assertThat(OffsetDateTime.parse(identify.timestamp()).toInstant()).isEqualTo(WHEN);

    CapturedMessage track = byType.get("track");
    assertThat(track.event()).isEqualTo("Café Ordered ☕");
    assertThat(track.get("properties.note")).isEqualTo("Grüße aus Köln — 東京 🎉");
    assertThat(track.get("properties.gift")).isEqualTo(true);
    assertThat(track.get("properties.order.id")).isEqualTo("ORD-1");
    assertThat(track.get("properties.order.total")).isEqualTo(new BigDecimal("19.99"));
    assertThat(track.get("properties.order.items[0].sku")).isEqualTo("A-1");
    assertThat(((Number) track.get("properties.order.items[0].qty")).intValue()).isEqualTo(2);
    assertThat(track.get("properties.order.items[1].sku")).isEqualTo("B-2");
    assertThat(OffsetDateTime.parse(track.timestamp()).toInstant()).isEqualTo(WHEN);
    assertThat(track.get("context.ip")).isEqualTo("203.0.113.9");
    assertThat(track.get("context.locale")).isEqualTo("de-CH");
    assertThat(track.integrations()).containsEntry("Amplitude", false);

    assertThat(byType.get("page").anonymousId()).isEqualTo("anon-1");
    assertThat(byType.get("page").name()).isEqualTo("Startseite");
    assertThat(byType.get("page").get("properties.title")).isEqualTo("Willkommen");
    assertThat(byType.get("screen").name()).isEqualTo("Einstellungen");
    assertThat(byType.get("screen").get("properties.section")).isEqualTo("Privatsphäre");
    assertThat(byType.get("group").groupId()).isEqualTo("org-42");
    assertThat(byType.get("group").get("traits.name")).isEqualTo("Acme AG");
    assertThat(byType.get("alias").previousId()).isEqualTo("anon-1");
    assertThat(byType.get("alias").userId()).isEqualTo("user-ü-1");

    for (CapturedMessage m : got) {
      assertThat(m.get("context.library.name")).as("merged from the batch context").isEqualTo("analytics-java");
      assertThat(m.messageId()).isNotBlank();
      assertThat(m.timestamp()).isNotNull();
      assertThat(m.timestamp()).satisfies(t -> OffsetDateTime.parse(t));
    }
    assertThat(COLLECTOR.server().stats().warnings()).isEmpty();
    assertThat(COLLECTOR.server().stats().rejected()).isZero();
    assertThat(COLLECTOR.server().requests()).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/v1/import/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.authorized()).isTrue();
    });
  }

  @Test
  void manyMessagesOverSeveralBatchesAllArriveOnce() {
    int n = 1_200;
    for (int i = 0; i < n; i++) {
      analytics.enqueue(TrackMessage.builder("Item Viewed").userId("u" + (i % 50))
          .properties(Map.of("i", i, "label", "été-" + i)));
    }
    analytics.flush();

    List<CapturedMessage> got = COLLECTOR.server().awaitMessages(n, WAIT);

    assertThat(failures).isEmpty();
    assertThat(got).hasSize(n);
    assertThat(got).extracting(m -> ((Number) m.get("properties.i")).intValue()).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, n).boxed().toList());
    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.duplicates()).isZero();
    assertThat(s.rejected()).isZero();
  }
}
