package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class BuilderOptionsTest {
  private static final String KEY = "wk_secret_9f8e7d";

  private static void rejects(UnaryOperator<Analytics.Builder> option, String... fragments) {
    var thrown = assertThatThrownBy(() -> option.apply(Analytics.builder(KEY).send(false).shutdownHook(false)).build())
        .isInstanceOf(IllegalArgumentException.class);
    for (String f : fragments) {
      thrown.hasMessageContaining(f);
    }
    thrown.message().doesNotContain(KEY);
  }

  @Test
  void rejectsAMissingWriteKeyWithAHint() {
    assertThatThrownBy(() -> Analytics.builder(null)).hasMessageContaining("SEGMENT_WRITE_KEY");
    assertThatThrownBy(() -> Analytics.builder("  ")).hasMessageContaining("writeKey");
  }

  @Test
  void validatesEveryOptionNamingItAndTheBadValue() {
    rejects(b -> b.maxQueueSize(0), "maxQueueSize", "0");
    rejects(b -> b.maxQueueBytes(100), "maxQueueBytes", "100");
    rejects(b -> b.flushAt(0), "flushAt", "0");
    rejects(b -> b.maxBatchMessages(2501), "maxBatchMessages", "2501");
    rejects(b -> b.maxBatchMessages(10).flushAt(11), "flushAt", "11");
    rejects(b -> b.maxBatchBytes(600_000), "maxBatchBytes", "600000");
    rejects(b -> b.maxBatchBytes(1000), "maxBatchBytes", "1000");
    rejects(b -> b.flushInterval(Duration.ZERO), "flushInterval", "PT0S");
    rejects(b -> b.flushTimeout(Duration.ofSeconds(-1)), "flushTimeout");
    rejects(b -> b.shutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout");
    rejects(b -> b.endpoint(URI.create("not-absolute")), "endpoint", "not-absolute");
    rejects(b -> b.queueFullPolicy(null), "queueFullPolicy");
    rejects(b -> b.retryPolicy(null), "retryPolicy");
  }

  @Test
  void roundsTheQueueSizeUpToAPowerOfTwo() {
    assertThat(Analytics.Builder.ringSize(10_000)).isEqualTo(16_384);
    assertThat(Analytics.Builder.ringSize(1024)).isEqualTo(1024);
    assertThat(Analytics.Builder.ringSize(1)).isEqualTo(1);
    assertThat(Analytics.Builder.ringSize(3)).isEqualTo(4);
  }

  @Test
  void withoutATransportOnTheClassPathBuildNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> Analytics.builder(KEY).shutdownHook(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dev.beacon:beacon-transport-http");
  }

  @Test
  void neitherTheClientNorItsBuilderShowTheWriteKey() {
    Analytics.Builder b = Analytics.builder(KEY).send(false).shutdownHook(false);
    assertThat(b.toString()).doesNotContain(KEY).contains("redacted");
    try (Analytics a = b.build()) {
      assertThat(a.toString()).doesNotContain(KEY).contains("redacted");
    }
  }

  @Test
  void regionsPointAtSegmentsEndpoints() {
    assertThat(Region.US.endpoint()).isEqualTo(URI.create("https://api.segment.io"));
    assertThat(Region.EU.endpoint()).isEqualTo(URI.create("https://events.eu1.segmentapis.com"));
  }

  @Test
  void blockPolicyNeedsAPositiveTimeout() {
    assertThatThrownBy(() -> QueueFullPolicy.block(Duration.ZERO)).hasMessageContaining("timeout");
    assertThat(QueueFullPolicy.block(Duration.ofMillis(5)).blocks()).isTrue();
    assertThat(QueueFullPolicy.dropNewest().blocks()).isFalse();
  }
}
