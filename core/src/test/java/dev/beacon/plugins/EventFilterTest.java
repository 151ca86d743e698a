package dev.beacon.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.Identify;
import dev.beacon.MessageType;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import org.junit.jupiter.api.Test;

class EventFilterTest {
  @Test
  void denyListsDropEventsTypesAndPredicateMatches() {
    EventFilter f = EventFilter.builder()
        .denyEvents("Health Checked")
        .denyTypes(MessageType.SCREEN)
        .denyIf(m -> m.userId() != null && m.userId().startsWith("test-"))
        .build();
    assertThat(f.apply(Track.builder("Health Checked").userId("u").build())).isNull();
    assertThat(f.apply(Screen.builder().userId("u").build())).isNull();
    assertThat(f.apply(Track.builder("Order Completed").userId("test-1").build())).isNull();
    Track ok = Track.builder("Order Completed").userId("u").build();
    assertThat(f.apply(ok)).isSameAs(ok);
  }

  @Test
  void allowListsLetOnlyTheListedPassAndEventListsOnlyConcernTrack() {
    EventFilter f = EventFilter.builder()
        .allowTypes(MessageType.TRACK, MessageType.IDENTIFY)
        .allowEvents("Order Completed")
        .build();
    assertThat(f.test(Track.builder("Order Completed").userId("u").build())).isTrue();
    assertThat(f.test(Track.builder("Debug Clicked").userId("u").build())).isFalse();
    assertThat(f.test(Identify.builder().userId("u").build())).isTrue();
    assertThat(f.test(Page.builder().userId("u").build())).isFalse();
  }

  @Test
  void aFilteredCallReturnsFalseAndIsCounted() {
    try (Analytics a = Analytics.builder("k").send(false).shutdownHook(false)
        .plugin(EventFilter.builder().denyEvents("Internal").build()).build()) {
      assertThat(a.track("u", "Internal")).isFalse();
      assertThat(a.track("u", "External")).isTrue();
      assertThat(a.stats().dropped(DropReason.FILTERED)).isEqualTo(1);
      assertThat(a.stats().accepted()).isEqualTo(1);
    }
  }

  @Test
  void blankNamesAreRefusedAtBuild() {
    assertThatThrownBy(() -> EventFilter.builder().denyEvents(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("denyEvents");
  }
}
