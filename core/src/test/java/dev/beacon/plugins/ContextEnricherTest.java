package dev.beacon.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Track;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextEnricherTest {
  private final ContextEnricher enricher = ContextEnricher.builder()
      .appName("shop").appVersion("2.4.1").appBuild("1187")
      .environment("production").host("web-1").put("region", "eu")
      .build();

  @Test
  void stampsAppEnvironmentAndHostOnAMessageWithoutContext() {
    Message out = enricher.apply(Track.builder("Order Completed").userId("u1").build());
    assertThat(out.context()).isEqualTo(Map.of(
        "app", Map.of("name", "shop", "version", "2.4.1", "build", "1187"),
        "environment", "production", "host", "web-1", "region", "eu"));
  }

  @Test
  void neverOverwritesWhatTheCallerSetAndMergesContextAppKeyByKey() {
    Message in = Identify.builder().userId("u1")
        .context(Map.of("app", Map.of("version", "9.9.9"), "environment", "staging", "ip", "10.0.0.1"))
        .traits(Map.of("plan", "pro"))
        .build();
    Identify out = (Identify) enricher.apply(in);
    assertThat(out.context()).isEqualTo(Map.of(
        "app", Map.of("version", "9.9.9", "name", "shop", "build", "1187"),
        "environment", "staging", "host", "web-1", "region", "eu", "ip", "10.0.0.1"));
    assertThat(out.traits()).isEqualTo(Map.of("plan", "pro"));
    assertThat(out.messageId()).isEqualTo(in.messageId());
    assertThat(out.timestamp()).isEqualTo(in.timestamp());
  }

  @Test
  void aMessageThatHasEveryValueIsPassedOnAsItIs() {
    Message in = Track.builder("E").userId("u1").context(Map.of(
        "app", Map.of("name", "a", "version", "b", "build", "c"),
        "environment", "x", "host", "y", "region", "z")).build();
    assertThat(enricher.apply(in)).isSameAs(in);
  }

  @Test
  void aCallerValueThatIsNotAnObjectIsKept() {
    Message in = Track.builder("E").userId("u1").context(Map.of("app", "legacy")).build();
    assertThat(enricher.apply(in).context().get("app")).isEqualTo("legacy");
  }

  @Test
  void optionsAreValidatedAtBuild() {
    assertThatThrownBy(() -> ContextEnricher.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one value");
    assertThatThrownBy(() -> ContextEnricher.builder().appName(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context.app.name");
    assertThatThrownBy(() -> ContextEnricher.builder().put("k", new Object()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context.k");
  }
}
