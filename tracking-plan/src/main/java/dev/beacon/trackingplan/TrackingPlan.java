package dev.beacon.trackingplan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.beacon.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Segment Protocols tracking plan, read from the JSON Segment's Config API exports, and checked
 * with a JSON Schema validator ({@code com.networknt:json-schema-validator}). Immutable and
 * thread-safe.
 *
 * <p>The file is an object (optionally wrapped as {@code {"tracking_plan": {...}}}) with
 * {@code rules}:
 * <ul>
 *   <li>{@code global}: a JSON Schema every message must match;</li>
 *   <li>{@code events}: a list of {@code {"name", "version", "rules"}}, where {@code rules} is a JSON
 *       Schema of the whole track message, the event's properties under
 *       {@code properties.properties};</li>
 *   <li>{@code identify} and {@code group}: JSON Schemas of the whole message, traits under
 *       {@code properties.traits}.</li>
 * </ul>
 * Each schema is read in the draft its {@code $schema} names (draft-04, -06, -07, 2019-09 or
 * 2020-12), draft-07 when it names none, and is itself checked against that draft's meta-schema
 * when the plan is loaded. Remote {@code $ref}s are never fetched. When an event has several
 * versions, a message is checked against the one its {@code context.protocols.event_version}
 * names, else the highest.
 */
public final class TrackingPlan {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SpecificationVersion DEFAULT_DRAFT = SpecificationVersion.DRAFT_7;

  private final String source;
  private final String name;
  private final Schema global;
  private final Map<String, NavigableMap<Integer, Schema>> events;
  private final Schema identify;
  private final Schema group;

  private TrackingPlan(String source, String name, Schema global, Map<String, NavigableMap<Integer, Schema>> events,
      Schema identify, Schema group) {
    this.source = source;
    this.name = name;
    this.global = global;
    this.events = events;
    this.identify = identify;
    this.group = group;
  }

  /**
   * Reads a plan file.
   *
   * @param file a tracking-plan JSON file
   * @return the plan
   * @throws IOException when the file cannot be read
   * @throws InvalidTrackingPlanException naming the file and the JSON pointer of the fault
   */
  public static TrackingPlan load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Reads a plan from text.
   *
   * @param json the tracking-plan JSON
   * @param source a name for error messages, e.g. the file name
   * @return the plan
   * @throws InvalidTrackingPlanException naming the source and the JSON pointer of the fault
   */
  public static TrackingPlan parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new InvalidTrackingPlanException(source, "", "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    }
    return new Reader(source).read(root);
  }

  /**
   * Returns where the plan was read from.
   *
   * @return the file name or the source given to {@link #parse(String, String)}
   */
  public String source() {
    return source;
  }

  /**
   * Returns the plan's display name.
   *
   * @return {@code display_name} (else {@code name}) from the file, or the source
   */
  public String name() {
    return name;
  }

  /**
   * Returns the names of the track events the plan lists.
   *
   * @return an unmodifiable, sorted set
   */
  public Set<String> events() {
    return events.keySet();
  }

  /**
   * Tells whether the plan lists a track event.
   *
   * @param event the event name
   * @return true when the plan has rules for it
   */
  public boolean plans(String event) {
    return events.containsKey(event);
  }

  /**
   * Checks a built message.
   *
   * @param message the message
   * @return the violations, empty when it conforms; an unplanned track event gives one
   *     {@link Violation#UNPLANNED} violation (plus any from {@code rules.global})
   */
  public List<Violation> check(Message message) {
    return check(MessageJson.of(message));
  }

  /**
   * Checks a message given as its JSON object (as maps, lists and scalars), e.g. a line of an
   * NDJSON file or a message the testkit captured.
   *
   * @param message the message's JSON object
   * @return the violations, empty when it conforms
   */
  public List<Violation> check(Map<String, ?> message) {
    return check(MessageJson.object(message));
  }

  /**
   * Checks a message given as a Jackson tree.
   *
   * @param message the message's JSON object
   * @return the violations, empty when it conforms
   */
  public List<Violation> check(JsonNode message) {
    String type = message.path("type").asText("");
    String event = message.path("event").asText("");
    String label = "track".equals(type) ? event : type;
    List<Violation> out = new ArrayList<>(0);
    if (global != null) {
      add(out, label, global.validate(message));
    }
    Schema rules = null;
    if ("track".equals(type)) {
      NavigableMap<Integer, Schema> versions = events.get(event);
      if (versions == null) {
        out.add(new Violation(label, "", Violation.UNPLANNED, ViolationMessages.unplanned(event, events.keySet())));
      } else {
        JsonNode v = message.path("context").path("protocols").path("event_version");
        Schema chosen = v.canConvertToInt() ? versions.get(v.asInt()) : null;
        rules = chosen != null ? chosen : versions.lastEntry().getValue();
      }
    } else if ("identify".equals(type)) {
      rules = identify;
    } else if ("group".equals(type)) {
      rules = group;
    }
    if (rules != null) {
      add(out, label, rules.validate(message));
    }
    return out;
  }

  private static void add(List<Violation> out, String label, List<Error> errors) {
    for (Error e : errors) {
      out.add(new Violation(label, path(e), e.getKeyword() == null ? "schema" : e.getKeyword(),
          ViolationMessages.rephrase(e.getKeyword(), e.getMessage())));
    }
  }

  /** The instance path in dots, with the missing or extra property for required and the like. */
  static String path(Error e) {
    StringBuilder b = new StringBuilder();
    NodePath p = e.getInstanceLocation();
    String last = null;
    for (int i = 0; i < p.getNameCount(); i++) {
      Object el = p.getElement(i);
      if (el instanceof Integer) {
        b.append('[').append(el).append(']');
        last = null;
      } else {
        if (b.length() > 0) {
          b.append('.');
        }
        last = String.valueOf(el);
        b.append(last);
      }
    }
    String prop = e.getProperty();
    if (prop != null && !prop.equals(last)) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append(prop);
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "TrackingPlan{" + name + ", events=" + events.size() + ", identify=" + (identify != null)
        + ", group=" + (group != null) + ", global=" + (global != null) + "}";
  }

  /** One pass over a plan document; knows the source for error messages. */
  private static final class Reader {
    private final String source;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(DEFAULT_DRAFT,
        b -> b.schemaLoader(l -> l.fetchRemoteResources(false)));
    private final Map<SpecificationVersion, Schema> metaSchemas = new EnumMap<>(SpecificationVersion.class);

    Reader(String source) {
      this.source = source;
    }

    private InvalidTrackingPlanException fault(String pointer, String problem) {
      return new InvalidTrackingPlanException(source, pointer, problem, null);
    }

    TrackingPlan read(JsonNode root) {
      String at = "";
      if (!root.isObject()) {
        throw fault(at, "expected an object with \"rules\" (Segment's tracking-plan export)");
      }
      if (root.has("tracking_plan")) {
        root = root.get("tracking_plan");
        at = "/tracking_plan";
        if (!root.isObject()) {
          throw fault(at, "expected an object");
        }
      }
      String name = text(root, "display_name");
      if (name == null) {
        name = text(root, "name");
      }
      JsonNode rules = root.get("rules");
      if (rules == null || !rules.isObject()) {
        throw fault(at + "/rules", rules == null ? "missing: expected an object with global, events, identify, group"
            : "expected an object with global, events, identify, group but was " + rules.getNodeType());
      }
      Schema global = optionalSchema(rules, "global", at + "/rules/global");
      Schema identify = optionalSchema(rules, "identify", at + "/rules/identify");
      Schema group = optionalSchema(rules, "group", at + "/rules/group");
      TreeMap<String, NavigableMap<Integer, Schema>> events = new TreeMap<>();
      JsonNode list = rules.get("events");
      if (list != null && !list.isNull()) {
        if (!list.isArray()) {
          throw fault(at + "/rules/events", "expected an array of {name, version, rules} but was " + list.getNodeType());
        }
        for (int i = 0; i < list.size(); i++) {
          String here = at + "/rules/events/" + i;
          JsonNode ev = list.get(i);
          if (!ev.isObject()) {
            throw fault(here, "expected an object {name, version, rules} but was " + ev.getNodeType());
          }
          String evName = text(ev, "name");
          if (evName == null || evName.isBlank()) {
            throw fault(here + "/name", "expected the event name, a non-blank string");
          }
          int version = 1;
          JsonNode v = ev.get("version");
          if (v != null && !v.isNull()) {
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
              throw fault(here + "/version", "expected a positive integer but was " + v);
            }
            version = v.asInt();
          }
          JsonNode r = ev.get("rules");
          if (r == null || !r.isObject()) {
            throw fault(here + "/rules", "expected the event's JSON Schema, an object");
          }
          Schema schema = schema(r, here + "/rules");
          NavigableMap<Integer, Schema> versions = events.computeIfAbsent(evName, k -> new TreeMap<>());
          if (versions.put(version, schema) != null) {
            throw fault(here, "event '" + evName + "' version " + version + " is listed twice");
          }
        }
      }
      for (Map.Entry<String, NavigableMap<Integer, Schema>> e : events.entrySet()) {
        e.setValue(Collections.unmodifiableNavigableMap(e.getValue()));
      }
      return new TrackingPlan(source, name != null ? name : source, global,
          Collections.unmodifiableSortedMap(events), identify, group);
    }

    private static String text(JsonNode node, String field) {
      JsonNode v = node.get(field);
      return v != null && v.isTextual() ? v.asText() : null;
    }

    private Schema optionalSchema(JsonNode rules, String field, String pointer) {
      JsonNode n = rules.get(field);
      if (n == null || n.isNull() || n.isObject() && n.isEmpty()) {
        return null;
      }
      if (!n.isObject()) {
        throw fault(pointer, "expected a JSON Schema object but was " + n.getNodeType());
      }
      return schema(n, pointer);
    }

    private Schema schema(JsonNode node, String pointer) {
      SpecificationVersion draft = DEFAULT_DRAFT;
      JsonNode declared = node.get("$schema");
      if (declared != null) {
        Optional<SpecificationVersion> found = declared.isTextual()
            ? SpecificationVersion.fromDialectId(declared.asText()) : Optional.empty();
        if (found.isEmpty()) {
          throw fault(pointer + "/$schema", "unknown JSON Schema draft " + declared
              + " (expected draft-04, -06, -07, 2019-09 or 2020-12)");
        }
        draft = found.get();
      }
      Schema meta = metaSchemas.computeIfAbsent(draft,
          d -> registry.getSchema(SchemaLocation.of(d.getDialectId())));
      List<Error> problems = meta.validate(node);
      if (!problems.isEmpty()) {
        Error first = problems.get(0);
        throw fault(pointer + pointer(first.getInstanceLocation()), "not a valid JSON Schema ("
            + draft.getDialectId() + "): " + first.getMessage());
      }
      try {
        Schema s = registry.getSchema(node);
        s.initializeValidators();
        return s;
      } catch (SchemaException e) {
        throw new InvalidTrackingPlanException(source, pointer, "not a usable JSON Schema: " + e.getMessage(), e);
      }
    }

    private static String pointer(NodePath p) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < p.getNameCount(); i++) {
        b.append('/').append(String.valueOf(p.getElement(i)).replace("~", "~0").replace("/", "~1"));
      }
      return b.toString();
    }
  }
}
