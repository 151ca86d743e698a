package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.internal.MessageSerializer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  enum Plan { PREMIUM }

  private static JsonNode wire(Message m) throws Exception {
    return JSON.readTree(MessageSerializer.toBytes(m));
  }

  @Test
  void rejectsAMessageWithNeitherUserIdNorAnonymousId() {
    assertThatThrownBy(() -> Track.builder("E").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId or anonymousId");
    assertThatThrownBy(() -> Track.builder("E").userId(" ").anonymousId("").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId or anonymousId");
  }

  @Test
  void rejectsABlankIdWhenTheOtherIsPresent() {
    assertThatThrownBy(() -> Track.builder("E").userId("  ").anonymousId("a").build())
        .hasMessageContaining("userId must not be blank");
  }

  @Test
  void acceptsAnonymousIdAlone() {
    assertThat(Track.builder("E").anonymousId("anon").build().anonymousId()).isEqualTo("anon");
  }

  @Test
  void rejectsBlankEventGroupIdAndPreviousIdNamingTheField() {
    assertThatThrownBy(() -> Track.builder(" ").userId("u").build()).hasMessageContaining("event");
    assertThatThrownBy(() -> Track.builder(null).userId("u").build()).hasMessageContaining("event");
    assertThatThrownBy(() -> Group.builder("").userId("u").build()).hasMessageContaining("groupId");
    assertThatThrownBy(() -> Alias.builder("").userId("u").build()).hasMessageContaining("previousId");
  }

  @Test
  void aliasNeedsAUserIdEvenWithAnAnonymousId() {
    assertThatThrownBy(() -> Alias.builder("old").anonymousId("a").build()).hasMessageContaining("userId");
  }

  @Test
  void rejectsAMessageIdLongerThan100Characters() {
    assertThat(Track.builder("E").userId("u").messageId("x".repeat(100)).build().messageId()).hasSize(100);
    assertThatThrownBy(() -> Track.builder("E").userId("u").messageId("x".repeat(101)).build())
        .hasMessageContaining("messageId").hasMessageContaining("101");
  }

  @Test
  void rejectsAMessageOver32KbAndReportsItsSize() {
    Map<String, Object> props = Map.of("blob", "a".repeat(40_000));
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(props).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("track message is \\d+ bytes when serialized; Segment accepts at most 32768 bytes.*");
  }

  @Test
  void acceptsAMessageJustUnder32KbWhoseCheapBoundIsAbove() throws Exception {
    // 1,500 small integers: each bounded at 20 bytes (30 KB + keys), but only 1-2 bytes each on the wire.
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      numbers.add(i % 10);
    }
    Track t = Track.builder("E").userId("u").properties(Map.of("n", numbers, "pad", "p".repeat(25_000))).build();
    int exact = MessageSerializer.toBytes(t).length;
    assertThat(exact).isLessThanOrEqualTo(Message.MAX_MESSAGE_BYTES);
    assertThat(t.serializedSizeBound()).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(Message.MAX_MESSAGE_BYTES);
  }

  @Test
  void rejectsNaNAndInfinityNamingThePropertyPath() {
    Map<String, Object> props = Map.of("items", List.of(Map.of("price", 1.0), Map.of("price", 2.0),
        Map.of("price", Double.NaN)));
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(props).build())
        .hasMessage("properties.items[2].price: NaN cannot be represented in JSON");
    assertThatThrownBy(() -> Identify.builder().userId("u").traits(Map.of("ltv", Float.POSITIVE_INFINITY)).build())
        .hasMessage("traits.ltv: Infinity cannot be represented in JSON");
  }

  @Test
  void rejectsCyclicStructuresNamingThePath() {
    Map<String, Object> a = new HashMap<>();
    a.put("self", a);
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(a).build())
        .hasMessageContaining("properties.self").hasMessageContaining("cyclic");
    List<Object> list = new ArrayList<>();
    list.add(list);
    assertThatThrownBy(() -> Track.builder("E").userId("u").context(Map.of("l", list)).build())
        .hasMessageContaining("context.l[0]").hasMessageContaining("cyclic");
  }

  @Test
  void rejectsUnsupportedTypesAndNonStringKeysNamingThePath() {
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(Map.of("t", new Thread())).build())
        .hasMessageContaining("properties.t: unsupported value type java.lang.Thread");
    Map<Object, Object> bad = new HashMap<>();
    bad.put(42, "x");
    assertThatThrownBy(() -> Track.builder("E").userId("u").properties(Map.of("m", bad)).build())
        .hasMessageContaining("properties.m: keys must be strings").hasMessageContaining("java.lang.Integer");
  }

  @Test
  void sendsEverySupportedValueTypeAsJson() throws Exception {
    UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
    Map<String, Object> props = new HashMap<>();
    props.put("s", "text");
    props.put("i", 7);
    props.put("l", 1L << 40);
    props.put("d", 99.99);
    props.put("bd", new BigDecimal("12345678901234567890.123456789"));
    props.put("bi", new BigInteger("123456789012345678901234567890"));
    props.put("b", true);
    props.put("n", null);
    props.put("list", List.of(1, "two"));
    props.put("set", new LinkedHashSet<>(List.of("a", "b")));
    props.put("ints", new int[] {1, 2, 3});
    props.put("strings", new String[] {"x"});
    props.put("plan", Plan.PREMIUM);
    props.put("uuid", uuid);
    props.put("instant", Instant.parse("2024-01-15T10:30:00Z"));
    props.put("date", new Date(0));
    props.put("local", LocalDate.of(2024, 1, 15));
    props.put("zoned", ZonedDateTime.of(2024, 1, 15, 11, 30, 0, 0, ZoneId.of("Europe/Paris")));
    props.put("opt", Optional.of("yes"));
    props.put("char", 'c');
    JsonNode p = wire(Track.builder("E").userId("u").properties(props).build()).get("properties");
    assertThat(p.get("s").asText()).isEqualTo("text");
    assertThat(p.get("i").asInt()).isEqualTo(7);
    assertThat(p.get("l").asLong()).isEqualTo(1L << 40);
    assertThat(p.get("d").decimalValue()).isEqualByComparingTo("99.99");
    assertThat(p.get("bd").decimalValue()).isEqualByComparingTo("12345678901234567890.123456789");
    assertThat(p.get("bi").bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(p.get("b").asBoolean()).isTrue();
    assertThat(p.get("n").isNull()).isTrue();
    assertThat(p.get("list").toString()).isEqualTo("[1,\"two\"]");
    assertThat(p.get("set").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(p.get("ints").toString()).isEqualTo("[1,2,3]");
    assertThat(p.get("strings").toString()).isEqualTo("[\"x\"]");
    assertThat(p.get("plan").asText()).isEqualTo("PREMIUM");
    assertThat(p.get("uuid").asText()).isEqualTo(uuid.toString());
    assertThat(p.get("instant").asText()).isEqualTo("2024-01-15T10:30:00.000Z");
    assertThat(p.get("date").asText()).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(p.get("local").asText()).isEqualTo("2024-01-15");
    assertThat(p.get("zoned").asText()).isEqualTo("2024-01-15T11:30:00+01:00");
    assertThat(p.get("opt").asText()).isEqualTo("yes");
    assertThat(p.get("char").asText()).isEqualTo("c");
  }

  @Test
  void sendsLoneSurrogatesAsTheReplacementCharacter() throws Exception {
    String broken = "a\uD800b\uDC00c";
    byte[] bytes = MessageSerializer.toBytes(Track.builder("E" + "\uD83D").userId("u")
        .properties(Map.of("k", broken, "ok", "🏃")).build());
    JsonNode n = JSON.readTree(bytes);
    assertThat(n.get("properties").get("k").asText()).isEqualTo("a\uFFFDb\uFFFDc");
    assertThat(n.get("properties").get("ok").asText()).isEqualTo("🏃");
    // valid UTF-8 all the way through
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(bytes);
  }

  @Test
  void snapshotsTheCallersMapsAtTheCall() {
    Map<String, Object> nested = new HashMap<>(Map.of("price", 10));
    List<Object> items = new ArrayList<>(List.of(nested));
    Map<String, Object> props = new HashMap<>(Map.of("items", items, "total", 10));
    Track t = Track.builder("E").userId("u").properties(props).build();
    props.put("total", 999);
    items.add("late");
    nested.put("price", 999);
    assertThat(t.properties().get("total")).isEqualTo(10);
    assertThat((List<?>) t.properties().get("items")).hasSize(1);
    assertThat(((Map<?, ?>) ((List<?>) t.properties().get("items")).get(0)).get("price")).isEqualTo(10);
    assertThatThrownBy(() -> t.properties().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void stampsTypeTimestampMessageIdAndLibrary() throws Exception {
    Instant before = Instant.now().minusMillis(1);
    JsonNode n = wire(Page.builder().userId("u").name("Pricing").category("Docs").build());
    assertThat(n.get("type").asText()).isEqualTo("page");
    assertThat(n.get("messageId").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(n.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(Instant.parse(n.get("timestamp").asText())).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(n.get("context").get("library").get("name").asText()).isEqualTo("beacon-java");
    assertThat(n.get("context").get("library").get("version").asText()).isNotBlank().doesNotContain("${");
    assertThat(n.get("name").asText()).isEqualTo("Pricing");
    assertThat(n.get("category").asText()).isEqualTo("Docs");
  }

  @Test
  void keepsTheCallersTimestampAndMessageIdForBackfills() throws Exception {
    JsonNode n = wire(Identify.builder().userId("u").timestamp(Instant.parse("2024-01-15T10:30:00Z"))
        .messageId("order-ORD-12345-completed").build());
    assertThat(n.get("timestamp").asText()).isEqualTo("2024-01-15T10:30:00.000Z");
    assertThat(n.get("messageId").asText()).isEqualTo("order-ORD-12345-completed");
  }

  @Test
  void writesEachTypesOwnFields() throws Exception {
    assertThat(wire(Group.builder("g1").userId("u").traits(Map.of("name", "Acme")).build()).get("groupId").asText())
        .isEqualTo("g1");
    JsonNode alias = wire(Alias.builder("anon_999").userId("user_123").build());
    assertThat(alias.get("previousId").asText()).isEqualTo("anon_999");
    assertThat(alias.get("userId").asText()).isEqualTo("user_123");
    assertThat(wire(Screen.builder().anonymousId("a").name("Home").build()).get("type").asText()).isEqualTo("screen");
    assertThat(wire(Identify.builder().userId("u").traits(Map.of("plan", "premium")).build()).get("traits")
        .get("plan").asText()).isEqualTo("premium");
  }

  @Test
  void callersLibraryContextIsReplacedByBeacons() throws Exception {
    JsonNode n = wire(Track.builder("E").userId("u").context(Map.of("library", "mine", "ip", "1.2.3.4")).build());
    assertThat(n.get("context").get("library").get("name").asText()).isEqualTo("beacon-java");
    assertThat(n.get("context").get("ip").asText()).isEqualTo("1.2.3.4");
  }
}
