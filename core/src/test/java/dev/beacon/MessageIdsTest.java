package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.internal.FastIds;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  @Test
  void stableIdMatchesThePythonGuidesRecipe() {
    // hashlib.sha256(b"order:ORD-123:Order Completed").hexdigest() grouped 8-4-4-4-12
    assertThat(MessageIds.stable("order", "ORD-123", "Order Completed"))
        .isEqualTo("bfa171f6-bc74-78ff-7ef0-e7b5a6a85826");
  }

  @Test
  void stableIdIsDeterministicAndSensitiveToEveryPart() {
    assertThat(MessageIds.stable("a", "b")).isEqualTo(MessageIds.stable("a", "b"))
        .isNotEqualTo(MessageIds.stable("a", "c")).isNotEqualTo(MessageIds.stable("b", "a"));
  }

  @Test
  void stableIdRejectsMissingParts() {
    assertThatThrownBy(MessageIds::stable).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageIds.stable("a", null)).hasMessageContaining("part 1 is null");
  }

  @Test
  void randomIdsAreVersion4UuidsAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = FastIds.randomUuid();
      assertThat(seen.add(id)).isTrue();
      if (i < 100) {
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      }
    }
  }
}
