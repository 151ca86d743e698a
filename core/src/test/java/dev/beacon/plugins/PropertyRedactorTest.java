package dev.beacon.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Page;
import dev.beacon.Track;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PropertyRedactorTest {
  private final PropertyRedactor redactor = PropertyRedactor.builder()
      .hash("traits.email", "context.traits.email")
      .drop("properties.cardNumber", "context.ip", "properties.shipping.street", "properties.products.coupon")
      .build();

  @Test
  void sha256IsLowerCaseHexOfUtf8() {
    // echo -n "abc" | sha256sum
    assertThat(PropertyRedactor.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void hashesTraitsAndContextTraitsOnIdentify() {
    Identify out = (Identify) redactor.apply(Identify.builder().userId("u1")
        .traits(Map.of("email", "john@example.com", "plan", "pro"))
        .context(Map.of("ip", "10.0.0.1", "traits", Map.of("email", "john@example.com")))
        .build());
    String h = PropertyRedactor.sha256("john@example.com");
    assertThat(out.traits()).isEqualTo(Map.of("email", h, "plan", "pro"));
    assertThat(out.context()).isEqualTo(Map.of("traits", Map.of("email", h)));
  }

  @Test
  void dropsNestedPropertiesAndCrossesLists() {
    Track out = (Track) redactor.apply(Track.builder("Order Completed").userId("u1")
        .properties(Map.of("cardNumber", "4111", "total", 10,
            "shipping", Map.of("street", "1 Main St", "city", "Paris"),
            "products", List.of(Map.of("sku", "a", "coupon", "X"), Map.of("sku", "b"))))
        .build());
    assertThat(out.properties()).isEqualTo(Map.of("total", 10,
        "shipping", Map.of("city", "Paris"),
        "products", List.of(Map.of("sku", "a"), Map.of("sku", "b"))));
  }

  @Test
  void appliesPropertiesPathsToPagesAndTraitsPathsToGroups() {
    Page page = (Page) redactor.apply(Page.builder().userId("u").properties(Map.of("cardNumber", "1")).build());
    assertThat(page.properties()).isEmpty();
    Group group = (Group) redactor.apply(Group.builder("g").userId("u").traits(Map.of("email", "a@b.c")).build());
    assertThat(group.traits()).containsEntry("email", PropertyRedactor.sha256("a@b.c"));
  }

  @Test
  void hashesNumbersByTheirTextKeepsNullsAndDropsObjects() {
    PropertyRedactor r = PropertyRedactor.builder().hash("properties.n", "properties.none", "properties.obj").build();
    java.util.HashMap<String, Object> props = new java.util.HashMap<>();
    props.put("n", 42);
    props.put("none", null);
    props.put("obj", Map.of("a", 1));
    Track out = (Track) r.apply(Track.builder("E").userId("u").properties(props).build());
    assertThat(out.properties()).containsEntry("n", PropertyRedactor.sha256("42"))
        .containsEntry("none", null).doesNotContainKey("obj");
  }

  @Test
  void aCopyThatCannotBeBuiltIsDroppedNotSentUnredacted() {
    // 2,000 numbers of 6 characters (~14 KB) become 2,000 hashes of 66 (~132 KB): over the 32 KB limit.
    java.util.List<Map<String, Object>> items = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      items.add(Map.of("n", 100_000 + i));
    }
    PropertyRedactor r = PropertyRedactor.builder().hash("properties.items.n").build();
    Track big = Track.builder("E").userId("u").properties(Map.of("items", items)).build();
    assertThat(r.apply(big)).isNull();
  }

  @Test
  void aMessageWithoutListedKeysIsPassedOnAsItIs() {
    Message in = Track.builder("E").userId("u1").properties(Map.of("total", 1)).build();
    assertThat(redactor.apply(in)).isSameAs(in);
  }

  @Test
  void pathsAreValidatedAtBuild() {
    assertThatThrownBy(() -> PropertyRedactor.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one path");
    assertThatThrownBy(() -> PropertyRedactor.builder().drop("email").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'email'");
    assertThatThrownBy(() -> PropertyRedactor.builder().drop("traits..email").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> PropertyRedactor.builder().drop("traits.address").hash("traits.address.city").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below another");
  }
}
