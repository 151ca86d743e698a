package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.Region;
import dev.beacon.spi.TransportContext;
import org.junit.jupiter.api.Test;

class TransportDiscoveryTest {
  private static final String KEY = "wk_discovery_canary";

  @Test
  void severalProvidersPickTheHighestPriorityDeterministically() {
    try (Analytics a = Analytics.builder(KEY).shutdownHook(false).build()) {
      a.track("u", "Found");
      a.flush(WAIT);
      assertThat(TestProviders.CREATED.get("beta").messages()).hasSize(1);
    }
  }

  @Test
  void transportNameChoosesAProvider() {
    try (Analytics a = Analytics.builder(KEY).transportName("alpha").region(Region.EU).shutdownHook(false).build()) {
      a.track("u", "Chosen");
      a.flush(WAIT);
      assertThat(TestProviders.CREATED.get("alpha").messages()).hasSize(1);
      TransportContext ctx = TestProviders.CONTEXTS.get("alpha");
      assertThat(ctx.endpoint()).isEqualTo(Region.EU.endpoint());
      assertThat(ctx.writeKey()).isEqualTo(KEY);
      assertThat(ctx.userAgent()).startsWith("beacon-java/");
      assertThat(ctx.toString()).doesNotContain(KEY);
    }
  }

  @Test
  void anUnknownTransportNameListsTheAvailableOnes() {
    assertThatThrownBy(() -> Analytics.builder(KEY).transportName("nope").shutdownHook(false).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope").hasMessageContaining("alpha").hasMessageContaining("beta");
  }

  @Test
  void theClientClosesTheTransportItCreated() {
    Analytics a = Analytics.builder(KEY).transportName("alpha").shutdownHook(false).build();
    a.close();
    assertThat(TestProviders.CREATED.get("alpha").isClosed()).isTrue();
  }
}
