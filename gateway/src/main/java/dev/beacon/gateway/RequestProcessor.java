package dev.beacon.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.beacon.internal.FastIds;
import dev.beacon.internal.RawMessage;
import dev.beacon.wire.SegmentApi;
import dev.beacon.wire.SegmentRequests;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Turns one complete request body into the events to store, or a refusal: inflates it (bounded),
 * parses and checks it with {@link SegmentRequests} (the same check as the testkit's collector),
 * authenticates it, applies the source's rate limit, and adds what the server sets: {@code receivedAt},
 * {@code context.ip} and a {@code messageId} when the client sent none. Runs on a worker thread,
 * never on a network thread. Thread-safe.
 */
final class RequestProcessor {
  private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  /**
   * The deepest nesting (the message object is level 1) of a message the gateway hands on as
   * complete ({@link Sink.Event#complete()}): far inside the engine's own limit of 64 levels, and
   * deeper than any SDK's message. Measured while writing.
   */
  static final int MAX_COMPLETE_DEPTH = 32;

  private final WriteKeysHolder keys;
  private final SegmentRequests.Limits limits;
  private final boolean strict;
  private final LongSupplier nanoClock;

  /** Where the current keys are (they are reloaded). */
  interface WriteKeysHolder {
    WriteKeys.Source lookup(String key);
  }

  RequestProcessor(WriteKeysHolder keys, SegmentRequests.Limits limits, boolean strict, LongSupplier nanoClock) {
    this.keys = keys;
    this.limits = limits;
    this.strict = strict;
    this.nanoClock = nanoClock;
  }

  /** What the request carried besides its body. */
  record Request(SegmentApi.Route route, String encoding, WriteKeys.Source headerSource, String clientIp) {}

  /**
   * The outcome: either events (status 200 once the sink has them) or an error answer.
   *
   * @param status 200, or the error status
   * @param message the error text (null for 200)
   * @param reason the metric tag of a refusal
   * @param events the events to append (empty on refusal)
   * @param source the sending source's name, when known
   * @param retryAfterSeconds for a 429, else 0
   */
  record Outcome(int status, String message, String reason, List<Sink.Event> events, String source,
      long retryAfterSeconds) {
    static Outcome refuse(int status, String reason, String message) {
      return new Outcome(status, message, reason, List.of(), null, 0);
    }
  }

  Outcome process(Request req, byte[] raw) {
    boolean batch = req.route().kind() == SegmentApi.Kind.BATCH;
    int limit = batch ? limits.maxBatchBytes() : limits.maxMessageBytes();
    byte[] body = raw;
    if ("gzip".equalsIgnoreCase(req.encoding())) {
      try {
        body = SegmentApi.gunzip(raw, limit);
      } catch (IOException e) {
        return Outcome.refuse(400, "invalid_gzip", "invalid gzip body: " + e.getMessage());
      }
      if (body == null) {
        return Outcome.refuse(400, "too_large", "Payload too large: request body is larger than " + limit
            + " bytes once inflated");
      }
    }
    if (body.length > limit) {
      return Outcome.refuse(400, "too_large", "Payload too large: request body is " + body.length
          + " bytes; the limit is " + limit);
    }
    SegmentRequests.Parsed parsed;
    try {
      parsed = batch ? SegmentRequests.parseBatch(body) : SegmentRequests.parseSingle(body);
    } catch (SegmentRequests.Refusal e) {
      if (req.headerSource() == null) {
        // Without a key in the header, the key would be in this body: an unauthenticated client
        // learns nothing about what is checked.
        return Outcome.refuse(401, "unauthorized", "missing or invalid Authorization header (or writeKey)");
      }
      return Outcome.refuse(400, "invalid", e.getMessage());
    }
    WriteKeys.Source source = req.headerSource();
    if (source == null) {
      source = parsed.writeKey instanceof String ? keys.lookup((String) parsed.writeKey) : null;
      if (source == null) {
        return Outcome.refuse(401, "unauthorized", "missing or invalid Authorization header (or writeKey)");
      }
    }
    try {
      SegmentRequests.check(parsed, req.route().type(), limits, strict, (kind, text) -> { });
    } catch (SegmentRequests.Refusal e) {
      return e.tooLarge ? Outcome.refuse(400, "too_large", "Payload too large: " + e.getMessage())
          : Outcome.refuse(400, "invalid", e.getMessage());
    }
    if (source.bucket != null) {
      long waitNanos = source.bucket.tryTake(parsed.messages.size(), nanoClock.getAsLong());
      if (waitNanos > 0) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new Outcome(429, "rate limit of source " + source.name + " exceeded; retry in " + seconds + " s",
            "rate_limited", List.of(), source.name, seconds);
      }
    }
    String receivedAt = Instant.now().toString();
    List<Sink.Event> events = new ArrayList<>(parsed.messages.size());
    for (Map<String, Object> m : parsed.messages) {
      m.put("receivedAt", receivedAt);
      if (m.get("messageId") == null) {
        m.put("messageId", FastIds.randomUuid());
      }
      withIp(m, req.clientIp());
      byte[] json;
      boolean complete;
      try {
        JsonWriter w = new JsonWriter();
        json = w.write(m);
        if (json == null) {
          // A value of a type the writer does not know (never from the parser): Jackson writes it.
          json = MAPPER.writeValueAsBytes(m);
          complete = false;
        } else {
          complete = w.deepest <= MAX_COMPLETE_DEPTH && complete(m);
        }
      } catch (IOException e) {
        return Outcome.refuse(400, "invalid", "a message cannot be written as JSON: " + e.getMessage());
      }
      Object user = m.get("userId");
      String key = user instanceof String && !((String) user).isBlank() ? (String) user : (String) m.get("anonymousId");
      events.add(new Sink.Event(json, (String) m.get("type"), key, source.name, complete));
    }
    return new Outcome(200, null, null, events, source.name, 0);
  }

  /**
   * Whether a message {@link SegmentRequests#check} accepted (and the gateway stamped) is complete
   * and valid by the engine's rules too, so that the journal takes its bytes without judging them
   * again ({@link Sink.Event#complete()}): the check already holds it to the engine's rules for the
   * type, ids, {@code messageId}, object fields, numbers and repeated names; what it does not
   * require is checked here — a {@code timestamp} in the libraries' spelling (the engine reads no
   * other without the codec), a {@code context.library} object, a string {@code category} on a
   * page or screen. The caller checks the nesting depth ({@link #MAX_COMPLETE_DEPTH}) while writing.
   */
  static boolean complete(Map<String, Object> m) {
    Object ts = m.get("timestamp");
    if (!(ts instanceof String) || !RawMessage.isLibraryTimestamp((String) ts)) {
      return false;
    }
    Object ctx = m.get("context");
    if (!(ctx instanceof Map) || !(((Map<?, ?>) ctx).get("library") instanceof Map)) {
      return false;
    }
    Object type = m.get("type");
    Object category = m.get("category");
    return category == null || category instanceof String || !("page".equals(type) || "screen".equals(type));
  }

  /**
   * Writes a parsed message (maps, lists, strings, numbers, booleans, nulls) exactly as
   * {@link #MAPPER} writes it — same generator, same order, numbers in their own spelling — without
   * Jackson's serializer lookup per value, and measures its nesting on the way.
   */
  static final class JsonWriter {
    /** The deepest container written; the message object is 1. */
    int deepest;

    /** The JSON, or null when a value is of another type (then nothing is to be used). */
    byte[] write(Map<String, Object> m) throws IOException {
      ByteArrayBuilder out = new ByteArrayBuilder(MAPPER.getFactory()._getBufferRecycler(), 512);
      try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
        if (!value(g, m, 0)) {
          return null;
        }
      }
      byte[] bytes = out.toByteArray();
      out.release();
      return bytes;
    }

    private boolean value(JsonGenerator g, Object v, int depth) throws IOException {
      if (v instanceof String) {
        g.writeString((String) v);
      } else if (v instanceof Map) {
        deepest = Math.max(deepest, depth + 1);
        g.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!(e.getKey() instanceof String)) {
            return false;
          }
          g.writeFieldName((String) e.getKey());
          if (!value(g, e.getValue(), depth + 1)) {
            return false;
          }
        }
        g.writeEndObject();
      } else if (v instanceof List) {
        deepest = Math.max(deepest, depth + 1);
        g.writeStartArray();
        for (Object o : (List<?>) v) {
          if (!value(g, o, depth + 1)) {
            return false;
          }
        }
        g.writeEndArray();
      } else if (v instanceof Integer) {
        g.writeNumber((Integer) v);
      } else if (v instanceof Long) {
        g.writeNumber((Long) v);
      } else if (v instanceof BigDecimal) {
        g.writeNumber((BigDecimal) v);
      } else if (v instanceof BigInteger) {
        g.writeNumber((BigInteger) v);
      } else if (v instanceof Boolean) {
        g.writeBoolean((Boolean) v);
      } else if (v == null) {
        g.writeNull();
      } else {
        return false;
      }
      return true;
    }
  }

  /** Sets {@code context.ip} to the client's address unless the client sent one (as Segment does). */
  @SuppressWarnings("unchecked")
  private static void withIp(Map<String, Object> m, String ip) {
    if (ip == null) {
      return;
    }
    Object ctx = m.get("context");
    if (ctx instanceof Map && ((Map<String, Object>) ctx).get("ip") != null) {
      return;
    }
    // The batch context is shared by every message and unmodifiable: each message gets its own copy.
    Map<String, Object> own = ctx instanceof Map ? new LinkedHashMap<>((Map<String, Object>) ctx) : new LinkedHashMap<>();
    own.put("ip", ip);
    m.put("context", own);
  }
}
