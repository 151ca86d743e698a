package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class FrozenMapTest {
  @Property(tries = 200)
  void lookupsAgreeWithLinkedHashMapForSmallAndIndexedMaps(
      @ForAll @Size(max = 60) Map<@StringLength(max = 6) String, Integer> source,
      @ForAll @StringLength(max = 6) String probe) {
    Map<String, Object> expected = new LinkedHashMap<>(source);
    Map<String, Object> frozen = Values.snapshotObject(source, "p").map();
    assertThat(frozen).isEqualTo(expected);
    for (String k : expected.keySet()) {
      assertThat(frozen.containsKey(k)).isTrue();
      assertThat(frozen.get(k)).isEqualTo(expected.get(k));
    }
    assertThat(frozen.containsKey(probe)).isEqualTo(expected.containsKey(probe));
    assertThat(frozen.get(probe)).isEqualTo(expected.get(probe));
    assertThat(frozen.containsKey(42)).isFalse();
    assertThat(frozen.get(null)).isNull();
  }

  @Property(tries = 50)
  void keysWithCollidingHashesAreAllFound(@ForAll @Size(min = 9, max = 40) java.util.Set<@StringLength(min = 1, max = 3) String> parts) {
    // "Aa" and "BB" have the same hashCode: concatenations of them collide in any table.
    Map<String, Object> source = new LinkedHashMap<>();
    int i = 0;
    for (String p : parts) {
      source.put(p + "Aa", i++);
      source.put(p + "BB", i++);
    }
    FrozenMap frozen = (FrozenMap) Values.snapshotObject(source, "p").map();
    for (Map.Entry<String, Object> e : source.entrySet()) {
      assertThat(frozen.get(e.getKey())).isEqualTo(e.getValue());
    }
    assertThat(frozen.get("AaBB-absent")).isNull();
  }
}
