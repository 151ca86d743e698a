package dev.beacon.trackingplan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beacon.Alias;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A built message as the JSON tree a tracking plan's schemas see: the fields Segment receives,
 * without {@code context.library} (Beacon adds it on the wire). Built straight from the message's
 * snapshots, which hold only JSON-ready values, without serializing to bytes and back.
 */
final class MessageJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private MessageJson() {}

  static ObjectNode of(Message m) {
    ObjectNode o = F.objectNode();
    o.put("type", m.type().wireName());
    if (m instanceof Track) {
      Track t = (Track) m;
      o.put("event", t.event());
      o.set("properties", object(t.properties()));
    } else if (m instanceof Identify) {
      o.set("traits", object(((Identify) m).traits()));
    } else if (m instanceof Group) {
      Group g = (Group) m;
      o.put("groupId", g.groupId());
      o.set("traits", object(g.traits()));
    } else if (m instanceof Page) {
      Page p = (Page) m;
      putIfSet(o, "name", p.name());
      putIfSet(o, "category", p.category());
      o.set("properties", object(p.properties()));
    } else if (m instanceof Screen) {
      Screen s = (Screen) m;
      putIfSet(o, "name", s.name());
      putIfSet(o, "category", s.category());
      o.set("properties", object(s.properties()));
    } else if (m instanceof Alias) {
      o.put("previousId", ((Alias) m).previousId());
    }
    putIfSet(o, "userId", m.userId());
    putIfSet(o, "anonymousId", m.anonymousId());
    o.put("messageId", m.messageId());
    o.put("timestamp", m.timestamp().toString());
    o.set("context", object(m.context()));
    if (!m.integrations().isEmpty()) {
      o.set("integrations", object(m.integrations()));
    }
    return o;
  }

  private static void putIfSet(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  static ObjectNode object(Map<?, ?> map) {
    ObjectNode o = F.objectNode();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      o.set(String.valueOf(e.getKey()), value(e.getValue()));
    }
    return o;
  }

  private static JsonNode value(Object v) {
    if (v == null) {
      return F.nullNode();
    } else if (v instanceof String) {
      return F.textNode((String) v);
    } else if (v instanceof Boolean) {
      return F.booleanNode((Boolean) v);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return F.numberNode(((Number) v).intValue());
    } else if (v instanceof Long) {
      return F.numberNode((Long) v);
    } else if (v instanceof Double) {
      return F.numberNode((Double) v);
    } else if (v instanceof Float) {
      return F.numberNode((Float) v);
    } else if (v instanceof BigDecimal) {
      return F.numberNode((BigDecimal) v);
    } else if (v instanceof BigInteger) {
      return F.numberNode((BigInteger) v);
    } else if (v instanceof Map) {
      return object((Map<?, ?>) v);
    } else if (v instanceof List) {
      ArrayNode a = F.arrayNode();
      for (Object x : (List<?>) v) {
        a.add(value(x));
      }
      return a;
    }
    // Snapshots hold nothing else; anything new is sent as its text, so check it as text.
    return F.textNode(String.valueOf(v));
  }
}
