package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToBuilderTest {
  private static final Instant T = Instant.parse("2024-01-15T10:30:00Z");

  private static <B extends Message.Builder<?, B>> B common(B b) {
    return b.userId("u1").anonymousId("a1").messageId("m1").timestamp(T)
        .context(Map.of("ip", "10.0.0.1")).integrations(Map.of("All", false));
  }

  private static void assertSameCommon(Message copy, Message original) {
    assertThat(copy).isNotSameAs(original);
    assertThat(copy.getClass()).isEqualTo(original.getClass());
    assertThat(copy.userId()).isEqualTo("u1");
    assertThat(copy.anonymousId()).isEqualTo("a1");
    assertThat(copy.messageId()).isEqualTo("m1");
    assertThat(copy.timestamp()).isEqualTo(T);
    assertThat(copy.context()).isEqualTo(Map.of("ip", "10.0.0.1"));
    assertThat(copy.integrations()).isEqualTo(Map.of("All", false));
    assertThat(copy.serializedSizeBound()).isEqualTo(original.serializedSizeBound());
  }

  @Test
  void everyTypeCopiesEveryField() {
    Track t = common(Track.builder("E")).properties(Map.of("p", 1)).build();
    Track t2 = t.toBuilder().build();
    assertSameCommon(t2, t);
    assertThat(t2.event()).isEqualTo("E");
    assertThat(t2.properties()).isEqualTo(Map.of("p", 1));

    Identify i = common(Identify.builder()).traits(Map.of("plan", "pro")).build();
    Identify i2 = i.toBuilder().build();
    assertSameCommon(i2, i);
    assertThat(i2.traits()).isEqualTo(Map.of("plan", "pro"));

    Page p = common(Page.builder()).name("Home").category("Docs").properties(Map.of("url", "/")).build();
    Page p2 = p.toBuilder().build();
    assertSameCommon(p2, p);
    assertThat(List.of(p2.name(), p2.category())).containsExactly("Home", "Docs");
    assertThat(p2.properties()).isEqualTo(Map.of("url", "/"));

    Screen s = common(Screen.builder()).name("Cart").category("Shop").properties(Map.of("n", 2)).build();
    Screen s2 = s.toBuilder().build();
    assertSameCommon(s2, s);
    assertThat(List.of(s2.name(), s2.category())).containsExactly("Cart", "Shop");
    assertThat(s2.properties()).isEqualTo(Map.of("n", 2));

    Group g = common(Group.builder("g1")).traits(Map.of("name", "Acme")).build();
    Group g2 = g.toBuilder().build();
    assertSameCommon(g2, g);
    assertThat(g2.groupId()).isEqualTo("g1");
    assertThat(g2.traits()).isEqualTo(Map.of("name", "Acme"));

    Alias a = common(Alias.builder("old")).build();
    Alias a2 = a.toBuilder().build();
    assertSameCommon(a2, a);
    assertThat(a2.previousId()).isEqualTo("old");
  }

  @Test
  void aChangedCopyLeavesTheOriginalUnchanged() {
    Track t = Track.builder("E").userId("u1").properties(Map.of("p", 1)).build();
    Track changed = t.toBuilder().event("F").properties(Map.of("q", 2)).build();
    assertThat(t.event()).isEqualTo("E");
    assertThat(t.properties()).isEqualTo(Map.of("p", 1));
    assertThat(changed.event()).isEqualTo("F");
    assertThat(changed.properties()).isEqualTo(Map.of("q", 2));
    assertThat(changed.messageId()).isEqualTo(t.messageId());
    assertThat(Group.builder("g").userId("u").build().toBuilder().groupId("h").build().groupId()).isEqualTo("h");
    assertThat(Alias.builder("p").userId("u").build().toBuilder().previousId("q").build().previousId())
        .isEqualTo("q");
  }

  @Test
  void mapsACopyLeavesAsTheyWereAreNotWalkedAgain() {
    Track t = common(Track.builder("E")).properties(Map.of("p", 1)).build();
    Track changedContext = t.toBuilder().context(Map.of("ip", "10.0.0.2")).build();
    assertThat(changedContext.properties()).isSameAs(t.properties());
    assertThat(changedContext.integrations()).isSameAs(t.integrations());
    assertThat(changedContext.context()).isNotSameAs(t.context()).isEqualTo(Map.of("ip", "10.0.0.2"));
    Identify i = common(Identify.builder()).traits(Map.of("plan", "pro")).build();
    assertThat(i.toBuilder().userId("u2").build().traits()).isSameAs(i.traits());
    Group g = common(Group.builder("g")).traits(Map.of("n", 1)).build();
    assertThat(g.toBuilder().groupId("h").build().traits()).isSameAs(g.traits());
    Page p = common(Page.builder()).properties(Map.of("url", "/")).build();
    assertThat(p.toBuilder().name("Home").build().properties()).isSameAs(p.properties());
    Screen s = common(Screen.builder()).properties(Map.of("n", 2)).build();
    assertThat(s.toBuilder().name("Cart").build().properties()).isSameAs(s.properties());
  }

  @Test
  void aSnapshotMapGivenToAnotherMessageIsReusedWithTheSameBoundAndStillDepthChecked() {
    Track source = Track.builder("E").userId("u1")
        .context(Map.of("app", Map.of("name", "shop", "tags", List.of("a", "b")), "ip", "10.0.0.1")).build();
    Map<String, Object> frozen = source.context();
    Track other = Track.builder("F").userId("u2").context(frozen).properties(Map.of("nested", frozen)).build();
    assertThat(other.context()).isSameAs(frozen);
    assertThat(other.properties().get("nested")).isSameAs(frozen);
    Track walked = Track.builder("F").userId("u2").context(new java.util.LinkedHashMap<>(frozen))
        .properties(Map.of("nested", new java.util.LinkedHashMap<>(frozen))).build();
    assertThat(other.serializedSizeBound()).isEqualTo(walked.serializedSizeBound());

    // A snapshot nested inside the caller's own maps still counts toward the depth limit.
    Map<String, Object> deep = Map.of("leaf", 1);
    for (int i = 0; i < dev.beacon.internal.Values.MAX_DEPTH - 2; i++) {
      deep = Map.of("d", deep);
    }
    Map<String, Object> deepFrozen = Track.builder("E").userId("u").properties(deep).build().properties();
    assertThat(Track.builder("E").userId("u").properties(deepFrozen).build().properties()).isSameAs(deepFrozen);
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(Map.of("a", Map.of("b", deepFrozen))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper than");
  }

  @Test
  void aCopyIsValidatedAndSizeBoundedAgain() {
    Track t = Track.builder("E").userId("u1").build();
    assertThatThrownBy(() -> t.toBuilder().userId(null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId or anonymousId");
    String big = "x".repeat(Message.MAX_MESSAGE_BYTES);
    assertThatThrownBy(() -> t.toBuilder().properties(Map.of("big", big)).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
