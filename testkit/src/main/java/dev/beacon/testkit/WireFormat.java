package dev.beacon.testkit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses Segment request bodies back into {@link CapturedMessage}s. */
public final class WireFormat {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private WireFormat() {}

  /**
   * Parses one JSON object.
   *
   * @param json UTF-8 JSON text of an object
   * @return the object as maps, lists, strings, numbers ({@code BigDecimal} for fractions), booleans
   * @throws UncheckedIOException when the bytes are not one valid JSON object
   */
  public static Map<String, Object> parseObject(byte[] json) {
    try {
      return MAPPER.readValue(json, MAP);
    } catch (IOException e) {
      throw new UncheckedIOException("not a valid JSON object: " + e.getMessage(), e);
    }
  }

  /**
   * Writes a parsed JSON object back as compact JSON text (one line).
   *
   * @param json an object as maps, lists and scalars
   * @return the JSON text
   */
  public static String toJson(Map<String, Object> json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses a {@code /v1/batch} body into its messages.
   *
   * @param body UTF-8 JSON {@code {"batch":[...],"sentAt":"..."}}
   * @return the messages in order
   * @throws UncheckedIOException when the body is not valid JSON
   * @throws IllegalArgumentException when it has no {@code batch} array
   */
  public static List<CapturedMessage> parseBatch(byte[] body) {
    Map<String, Object> envelope = parseObject(body);
    Object batch = envelope.get("batch");
    if (!(batch instanceof List)) {
      throw new IllegalArgumentException("request body has no \"batch\" array");
    }
    List<CapturedMessage> out = new ArrayList<>();
    for (Object o : (List<?>) batch) {
      if (!(o instanceof Map)) {
        throw new IllegalArgumentException("batch element is not an object: " + o);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) o;
      out.add(new CapturedMessage(m));
    }
    return out;
  }
}
