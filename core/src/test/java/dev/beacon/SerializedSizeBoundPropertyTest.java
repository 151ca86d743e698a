package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.MessageSerializer;
import dev.beacon.internal.MessageSizes;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link Message#serializedSizeBound()} is an upper bound of the bytes the serializer writes, for
 * any text: every Unicode plane, lone surrogates, control characters, long strings, nested values
 * (issue 9, defect 4). The queue, batch and spool limits all rest on it.
 */
class SerializedSizeBoundPropertyTest {
  private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, 4 bytes in UTF-8

  // ---- regression: characters outside the BMP are 4 bytes on the wire and in the bound ----

  @Test
  void aPropertyOf3000EmojiIsMeasuredAsFourBytesEach() {
    String emoji = EMOJI.repeat(3000);
    Track t = Track.builder("Emoji").userId("u").properties(Map.of("text", emoji)).build();
    byte[] json = MessageSerializer.toBytes(t);
    // Real UTF-8, not two \\uXXXX escapes (12 bytes) per character.
    assertThat(json.length).isBetween(3000 * 4, 3000 * 4 + 1024);
    assertThat(new String(json, StandardCharsets.UTF_8)).contains(emoji).doesNotContain("\\u");
    assertThat(t.serializedSizeBound()).isGreaterThanOrEqualTo(json.length);
    assertThat(MessageCodec.parseObject(json, 0, json.length).get("properties"))
        .isEqualTo(Map.of("text", emoji));
  }

  @Test
  void aMessageOfEmojiBeyond32KbOnTheWireIsRefused() {
    // 9,000 emoji: 36 KB of UTF-8, so the bound is above the limit and the exact size decides.
    Map<String, Object> props = Map.of("text", EMOJI.repeat(9000));
    assertThatThrownBy(() -> Track.builder("Emoji").userId("u").properties(props).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 KB");
  }

  @Test
  void stringBoundIsExactForPairsLoneSurrogatesAndControlCharacters() {
    assertThat(MessageSizes.stringBound(EMOJI)).isEqualTo(2 + 4);
    assertThat(MessageSizes.stringBound("\uD800")).isEqualTo(2 + 6); // written as \uD800
    assertThat(MessageSizes.stringBound("\uDC00\uD800")).isEqualTo(2 + 12); // reversed pair: two escapes
    assertThat(MessageSizes.stringBound("\u0001")).isEqualTo(2 + 6);
    for (String s : new String[] {EMOJI, "\uD800", "\uDE00x", "\uDC00\uD800", "\u0001", "\u00e9\u4e2d"}) {
      Track t = Track.builder(s).userId(s).anonymousId(s).build();
      assertThat(MessageSerializer.toBytes(t).length).as("%s", s).isLessThanOrEqualTo(t.serializedSizeBound());
    }
  }

  @Test
  void aMessageWhoseCheapBoundIsAboveTheLimitReportsItsExactSize() {
    // 15,000 newlines: bounded at 6 bytes each (90 KB), written as the 2-byte escape \n (30 KB).
    Track t = Track.builder("Lines").userId("u").properties(Map.of("text", "\n".repeat(15_000))).build();
    int exact = MessageSerializer.serializedSize(t);
    assertThat(exact).isLessThanOrEqualTo(Message.MAX_MESSAGE_BYTES);
    assertThat(t.serializedSizeBound()).isEqualTo(exact);
    assertThat(t.serializedSizeBound()).isEqualTo(exact); // the cached value
  }

  // ---- the property ----

  @Property(tries = 300)
  void theBoundCoversTheSerializedSizeOfEveryMessage(@ForAll("messages") Spec b) {
    Message m;
    try {
      m = b.build();
    } catch (IllegalArgumentException e) {
      // Refused as too large: the check serialized it and found it above 32 KB. Nothing to bound.
      assertThat(e).hasMessageContaining("32 KB");
      Statistics.label("message").collect("refused as above 32 KB");
      return;
    }
    Statistics.label("message").collect("built");
    byte[] json = MessageSerializer.toBytes(m);
    Statistics.label("bytes").collect(json.length < 1024 ? "< 1 KB" : json.length < 8192 ? "1-8 KB" : "8-32 KB");
    assertThat(json.length).as("serialized size of %s", m.type())
        .isLessThanOrEqualTo(m.serializedSizeBound())
        .isLessThanOrEqualTo(Message.MAX_MESSAGE_BYTES);
    Map<String, Object> back = MessageCodec.parseObject(json, 0, json.length);
    assertThat(back).containsEntry("messageId", m.messageId());
    assertThat(back.get("userId")).isEqualTo(m.userId());
  }

  @Property(tries = 10)
  void batchBodiesNeverExceedMaxBatchBytes(
      @ForAll @Size(min = 1, max = 40) List<@From("messages") Spec> specs,
      @ForAll @IntRange(min = 32_816, max = 512_000) int maxBatchBytes,
      @ForAll @IntRange(min = 1, max = 2500) int maxBatchMessages) {
    List<Message> messages = new ArrayList<>();
    for (Spec b : specs) {
      try {
        messages.add(b.build());
      } catch (IllegalArgumentException tooLarge) {
        // covered by the property above
      }
    }
    Recording transport = new Recording();
    try (Analytics a = Analytics.builder("k").transport(transport).shutdownHook(false)
        .maxBatchBytes(maxBatchBytes).maxBatchMessages(maxBatchMessages).flushAt(maxBatchMessages)
        .flushInterval(Duration.ofHours(1)).build()) {
      for (int round = 0; round < 3; round++) {
        for (Message m : messages) {
          assertThat(a.enqueue(m)).isTrue();
        }
        // Flushing each round keeps the queue small; the batches are cut by size and count.
        assertThat(a.flush(Duration.ofSeconds(30)).isSuccess()).isTrue();
      }
    }
    Set<String> ids = new HashSet<>();
    int delivered = 0;
    for (Recording.Sent sent : transport.sent) {
      byte[] body = sent.body();
      assertThat(body.length).isEqualTo(sent.declaredBytes()).isLessThanOrEqualTo(maxBatchBytes);
      Map<String, Object> parsed = MessageCodec.parseObject(body, 0, body.length);
      List<?> batch = (List<?>) parsed.get("batch");
      assertThat(batch.size()).isLessThanOrEqualTo(maxBatchMessages);
      for (Object o : batch) {
        ids.add((String) ((Map<?, ?>) o).get("messageId"));
      }
      delivered += batch.size();
    }
    assertThat(delivered).isEqualTo(3 * messages.size());
    assertThat(ids).hasSize((int) messages.stream().map(Message::messageId).distinct().count());
  }

  /** A message builder together with its kind, so that jqwik can shrink and print it. */
  record Spec(Message.Builder<?, ?> builder, String description) {
    Message build() {
      return builder.build();
    }

    @Override
    public String toString() {
      return description;
    }
  }

  @Provide
  Arbitrary<Spec> messages() {
    Arbitrary<String> id = text(40).filter(s -> !s.isBlank());
    Arbitrary<Map<String, Object>> map = objects(2);
    Arbitrary<Instant> timestamp = Arbitraries.oneOf(
        Arbitraries.longs().between(-62_167_219_200_000L, 253_402_300_799_999L).map(Instant::ofEpochMilli),
        Arbitraries.of(Instant.parse("+12345-01-01T00:00:00Z"), Instant.parse("-0001-06-30T12:00:00Z")));
    return Combinators.combine(
            Arbitraries.of(MessageType.values()),
            id, id.injectNull(0.3),
            id.filter(s -> s.length() <= Message.MAX_MESSAGE_ID_LENGTH).injectNull(0.5),
            timestamp, map, map, map)
        .as((type, userId, anonymousId, messageId, ts, payload, context, integrations) -> {
          Message.Builder<?, ?> b;
          switch (type) {
            case IDENTIFY:
              b = Identify.builder().traits(payload);
              break;
            case TRACK:
              b = Track.builder(userId + "-event").properties(payload);
              break;
            case PAGE:
              b = Page.builder().name(anonymousId).category(userId).properties(payload);
              break;
            case SCREEN:
              b = Screen.builder().name(userId).category(anonymousId).properties(payload);
              break;
            case GROUP:
              b = Group.builder(userId + "-group").traits(payload);
              break;
            default:
              b = Alias.builder(userId + "-previous");
              break;
          }
          b.userId(userId).anonymousId(anonymousId).messageId(messageId).timestamp(ts)
              .context(context).integrations(integrations);
          return new Spec(b, type + " userId=" + userId + " anonymousId=" + anonymousId
              + " messageId=" + messageId + " timestamp=" + ts + " payload=" + payload
              + " context=" + context + " integrations=" + integrations);
        });
  }

  /** Text from every plane, with lone and reversed surrogates, control characters and escapes. */
  private static Arbitrary<String> text(int maxPieces) {
    Arbitrary<String> piece = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.chars().range(' ', '~').map(String::valueOf)),
        Tuple.of(2, Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.of("\"", "\\", "/", "\u007f", "\u2028", "\u2029", "\ufeff", "\uffff")),
        Tuple.of(2, Arbitraries.chars().range('\u0080', '\u07ff').map(String::valueOf)),
        Tuple.of(2, Arbitraries.chars().range('\u0800', '\ud7ff').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\ue000', '\uffff').map(String::valueOf)),
        Tuple.of(4, Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString)),
        Tuple.of(2, Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf)), // lone
        Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)
            .map(cp -> new String(new char[] {Character.lowSurrogate(cp), Character.highSurrogate(cp)}))));
    Arbitrary<String> shortText = piece.list().ofMaxSize(maxPieces).map(l -> String.join("", l));
    // Long runs of one kind of character: a long string is where an undercount adds up.
    Arbitrary<String> longText = Combinators.combine(piece, Arbitraries.integers().between(50, 2000))
        .as(String::repeat);
    return Arbitraries.frequencyOf(Tuple.of(40, shortText), Tuple.of(1, longText));
  }

  private static Arbitrary<Map<String, Object>> objects(int depth) {
    return Arbitraries.maps(text(12), value(depth)).ofMaxSize(8);
  }

  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        text(30).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.floats().map(f -> (Object) f),
        Arbitraries.bigDecimals().map(d -> (Object) d),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
            .map(i -> (Object) i),
        Arbitraries.of(BigDecimal.valueOf(Long.MIN_VALUE, -300), new BigDecimal("-1E-300")).map(d -> (Object) d),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b),
        Arbitraries.just((Object) null));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(6).map(l -> (Object) l);
    Arbitrary<Object> map = objects(depth - 1).map(m -> (Object) m);
    return Arbitraries.frequencyOf(Tuple.of(6, scalar), Tuple.of(1, list), Tuple.of(1, map));
  }

  /** Keeps every request body as the engine hands it over. */
  private static final class Recording implements Transport {
    record Sent(int declaredBytes, byte[] body) {}

    final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      sent.add(new Sent(batch.sizeInBytes(), batch.toJson(Instant.now())));
      return CompletableFuture.completedFuture(SendResult.delivered(200));
    }
  }
}
