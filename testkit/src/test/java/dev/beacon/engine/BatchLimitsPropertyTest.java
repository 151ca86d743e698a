package dev.beacon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.internal.MessageSerializer;
import dev.beacon.testkit.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BatchLimitsPropertyTest {
  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(300).map(s -> (Object) s),
        Arbitraries.strings().all().ofMaxLength(40).map(s -> (Object) s), // any char, lone surrogates included
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.bigDecimals().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b));
    Arbitrary<Object> lists = scalars.list().ofMaxSize(8).map(l -> (Object) l);
    Arbitrary<Object> maps = Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(12), scalars)
        .ofMaxSize(6).map(m -> (Object) m);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, scalars), net.jqwik.api.Tuple.of(1, lists), net.jqwik.api.Tuple.of(1, maps));
  }

  @Provide
  Arbitrary<Map<String, Object>> properties() {
    return Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(20), values()).ofMaxSize(20);
  }

  @Property(tries = 60)
  void randomMessagesSerializeToValidJsonWithinTheirBound(@ForAll("properties") Map<String, Object> props) {
    Track t = Track.builder("Random Event").userId("u").properties(props).build();
    byte[] json = MessageSerializer.toBytes(t);
    assertThat(json.length).isLessThanOrEqualTo(t.serializedSizeBound()).isLessThanOrEqualTo(Message.MAX_MESSAGE_BYTES);
    assertThat(WireFormat.parseObject(json)).containsEntry("event", "Random Event");
  }

  @Property(tries = 25)
  void batchesNeverExceed500KbOr2500Messages(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 31_000) Integer> blobSizes,
      @ForAll @IntRange(min = 32_816, max = 512_000) int maxBatchBytes,
      @ForAll @IntRange(min = 1, max = 2500) int maxBatchMessages) {
    RecordingTransport t = new RecordingTransport();
    try (Analytics a = Analytics.builder("k").transport(t).shutdownHook(false)
        .maxBatchBytes(maxBatchBytes).maxBatchMessages(maxBatchMessages).flushAt(maxBatchMessages)
        .flushInterval(Duration.ofHours(1)).build()) {
      for (int i = 0; i < 3; i++) {
        for (int size : blobSizes) {
          a.track("u", "E", Map.of("blob", "b".repeat(size)));
        }
      }
      assertThat(a.flush(Duration.ofSeconds(30)).isSuccess()).isTrue();
    }
    assertThat(t.messageCount()).isEqualTo(3 * blobSizes.size());
    for (RecordingTransport.Sent s : t.sent) {
      assertThat(s.body().length).isLessThanOrEqualTo(maxBatchBytes).isLessThanOrEqualTo(512_000);
      assertThat(s.messages()).isLessThanOrEqualTo(maxBatchMessages).isLessThanOrEqualTo(2500);
      assertThat(WireFormat.parseBatch(s.body())).hasSize(s.messages());
    }
  }
}
