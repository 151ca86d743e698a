package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.spi.MessageRejectedException;
import dev.beacon.spi.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PluginTest {
  private final RecordingTransport transport = new RecordingTransport();

  private Analytics.Builder client() {
    return Analytics.builder("k").transport(transport).shutdownHook(false).flushAt(1);
  }

  private List<Message> sent(Analytics a) {
    assertThat(a.flush().complete()).isTrue();
    return transport.messages();
  }

  @Test
  void pluginsRunInOrderOnTheCallersThreadAndSeeWhatTheOneBeforeReturned() {
    List<String> seen = new ArrayList<>();
    Thread caller = Thread.currentThread();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    Plugin first = m -> {
      ranOn.set(Thread.currentThread());
      seen.add("first:" + ((Track) m).event());
      return ((Track) m).toBuilder().event("Renamed").build();
    };
    Plugin second = m -> {
      seen.add("second:" + ((Track) m).event());
      return m;
    };
    try (Analytics a = client().plugin(first).plugin(second).build()) {
      assertThat(a.track("u1", "Original")).isTrue();
      assertThat(seen).containsExactly("first:Original", "second:Renamed");
      assertThat(ranOn.get()).isSameAs(caller);
      assertThat(sent(a)).singleElement().satisfies(m -> assertThat(((Track) m).event()).isEqualTo("Renamed"));
    }
  }

  @Test
  void aPluginReturningNullDropsTheMessageCountedAsFiltered() {
    try (Analytics a = client().plugin(m -> null).build()) {
      assertThat(a.track("u1", "Dropped")).isFalse();
      Stats s = a.stats();
      assertThat(s.dropped(DropReason.FILTERED)).isEqualTo(1);
      assertThat(s.dropped()).isEqualTo(1);
      assertThat(s.accepted()).isZero();
      assertThat(sent(a)).isEmpty();
    }
  }

  @Test
  void aPluginThatThrowsIsCountedAndTheMessageGoesOnAsItWas() {
    Plugin broken = m -> {
      throw new IllegalStateException("bug in plugin");
    };
    Plugin after = m -> ((Track) m).toBuilder().properties(Map.of("seenBy", "after")).build();
    try (Analytics a = client().plugin(broken).plugin(after).build()) {
      assertThat(a.track("u1", "Kept", Map.of("a", 1))).isTrue();
      assertThat(a.stats().pluginErrors()).isEqualTo(1);
      assertThat(sent(a)).singleElement().satisfies(m -> {
        assertThat(((Track) m).event()).isEqualTo("Kept");
        assertThat(((Track) m).properties()).containsExactly(Map.entry("seenBy", "after"));
      });
    }
  }

  @Test
  void aPluginThatThrowsAnErrorDoesNotBreakTheCaller() {
    Plugin broken = m -> {
      throw new NoClassDefFoundError("missing");
    };
    try (Analytics a = client().plugin(broken).build()) {
      assertThat(a.track("u1", "Kept")).isTrue();
      assertThat(a.stats().pluginErrors()).isEqualTo(1);
      assertThat(sent(a)).hasSize(1);
    }
  }

  @Test
  void aRejectionReachesTheCallerAndNothingIsQueued() {
    Plugin strict = m -> {
      throw new MessageRejectedException("Order Completed: properties.total is required");
    };
    try (Analytics a = client().plugin(strict).build()) {
      assertThatThrownBy(() -> a.track("u1", "Order Completed"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("properties.total");
      assertThat(a.stats().accepted()).isZero();
      assertThat(a.stats().pluginErrors()).isZero();
      assertThat(sent(a)).isEmpty();
    }
  }

  @Test
  void aChangedCopyIsValidatedAgainByBuild() {
    Plugin blanker = m -> ((Track) m).toBuilder().event(" ").build();
    try (Analytics a = client().plugin(blanker).build()) {
      // The plugin's build() throws: a plugin error, and the original goes on.
      assertThat(a.track("u1", "Valid")).isTrue();
      assertThat(a.stats().pluginErrors()).isEqualTo(1);
      assertThat(sent(a)).singleElement().satisfies(m -> assertThat(((Track) m).event()).isEqualTo("Valid"));
    }
  }

  @Test
  void pluginsApplyInSyncMode() {
    try (Analytics a = client().syncMode(true).plugin(m -> null).build()) {
      assertThat(a.track("u1", "Dropped")).isFalse();
      assertThat(a.stats().dropped(DropReason.FILTERED)).isEqualTo(1);
    }
  }

  @Test
  void withoutPluginsStatsCountNoPluginOutcomes() {
    try (Analytics a = client().build()) {
      assertThat(a.track("u1", "Plain")).isTrue();
      Stats s = a.stats();
      assertThat(s.pluginErrors()).isZero();
      assertThat(s.dropped(DropReason.FILTERED)).isZero();
    }
  }

  @Test
  void aNullPluginIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> Analytics.builder("k").plugin(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plugin");
  }
}
