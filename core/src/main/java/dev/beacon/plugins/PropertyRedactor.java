package dev.beacon.plugins;

import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import dev.beacon.spi.Plugin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops or hashes personal data before it leaves the process. Paths start with the object they
 * apply to: {@code properties} (track, page, screen), {@code traits} (identify, group) or
 * {@code context}, then name keys with dots: {@code traits.email}, {@code context.traits.phone},
 * {@code properties.shipping.address}. A path that crosses a list applies to every object in it
 * ({@code properties.products.coupon}).
 *
 * <pre>{@code
 * Plugin redactor = PropertyRedactor.builder()
 *     .hash("traits.email", "context.traits.email")   // SHA-256, lower-case hex
 *     .drop("properties.cardNumber", "context.ip")
 *     .build();
 * }</pre>
 *
 * <p>Hashing replaces a string, number or boolean with the lower-case hex SHA-256 of its text
 * (UTF-8); a {@code null} stays {@code null}; an object or list at a hashed path is dropped, since
 * it has no single canonical text. A message without any listed key is passed on as it is. The
 * redactor never fails open: should rebuilding the redacted copy fail, the message is dropped
 * (counted as {@link dev.beacon.DropReason#FILTERED}, and logged at most once per 10 s) rather than
 * sent unredacted.
 */
public final class PropertyRedactor implements Plugin {
  private static final Logger LOG = LoggerFactory.getLogger(PropertyRedactor.class);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private enum Action { DROP, HASH }

  /** One node of the path tree: the action at this key, or children below it. */
  private static final class Node {
    Action action;
    final Map<String, Node> children = new HashMap<>();
  }

  private final Node root;
  private final AtomicLong nextLog = new AtomicLong(Long.MIN_VALUE);

  private PropertyRedactor(Node root) {
    this.root = root;
  }

  /**
   * Starts a redactor.
   *
   * @return a builder with no paths
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Message apply(Message message) {
    try {
      return redact(message);
    } catch (RuntimeException e) {
      long now = System.nanoTime();
      long n = nextLog.get();
      if ((n == Long.MIN_VALUE || now - n >= 0) && nextLog.compareAndSet(n, now + LOG_INTERVAL_NANOS)) {
        LOG.warn("Beacon's PropertyRedactor could not redact a {} message and dropped it rather than send it"
            + " unredacted (counted as FILTERED): {}", message.type().wireName(), e.toString());
      }
      return null; // never send what should have been redacted
    }
  }

  private Message redact(Message m) {
    Node ctxNode = root.children.get("context");
    Map<String, Object> ctx = ctxNode == null ? null : redactMap(m.context(), ctxNode);
    Node propsNode = root.children.get("properties");
    Node traitsNode = root.children.get("traits");
    Map<String, Object> body = null;
    if (m instanceof Track && propsNode != null) {
      body = redactMap(((Track) m).properties(), propsNode);
    } else if (m instanceof Page && propsNode != null) {
      body = redactMap(((Page) m).properties(), propsNode);
    } else if (m instanceof Screen && propsNode != null) {
      body = redactMap(((Screen) m).properties(), propsNode);
    } else if (m instanceof Identify && traitsNode != null) {
      body = redactMap(((Identify) m).traits(), traitsNode);
    } else if (m instanceof Group && traitsNode != null) {
      body = redactMap(((Group) m).traits(), traitsNode);
    }
    if (ctx == null && body == null) {
      return m;
    }
    var b = m.toBuilder();
    if (ctx != null) {
      b.context(ctx);
    }
    if (body != null) {
      if (m instanceof Track) {
        ((Track.Builder) b).properties(body);
      } else if (m instanceof Page) {
        ((Page.Builder) b).properties(body);
      } else if (m instanceof Screen) {
        ((Screen.Builder) b).properties(body);
      } else if (m instanceof Identify) {
        ((Identify.Builder) b).traits(body);
      } else {
        ((Group.Builder) b).traits(body);
      }
    }
    return b.build();
  }

  /** Returns a redacted copy, or null when nothing under {@code node} is in {@code map}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> redactMap(Map<String, Object> map, Node node) {
    Map<String, Object> out = null;
    for (Map.Entry<String, Node> e : node.children.entrySet()) {
      String key = e.getKey();
      if (!map.containsKey(key)) {
        continue;
      }
      Node child = e.getValue();
      Object value = map.get(key);
      boolean remove = false;
      Object replacement = value;
      if (child.action == Action.DROP) {
        remove = true;
      } else if (child.action == Action.HASH) {
        if (value instanceof Map || value instanceof List) {
          remove = true;
        } else if (value != null) {
          replacement = sha256(String.valueOf(value));
        }
      } else if (value instanceof Map) {
        replacement = redactMap((Map<String, Object>) value, child);
      } else if (value instanceof List) {
        replacement = redactList((List<Object>) value, child);
      }
      if (remove || replacement != value && replacement != null) {
        if (out == null) {
          out = new LinkedHashMap<>(map);
        }
        if (remove) {
          out.remove(key);
        } else {
          out.put(key, replacement);
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> redactList(List<Object> list, Node node) {
    List<Object> out = null;
    for (int i = 0; i < list.size(); i++) {
      Object v = list.get(i);
      Object r = v instanceof Map ? redactMap((Map<String, Object>) v, node)
          : v instanceof List ? redactList((List<Object>) v, node) : null;
      if (r != null) {
        if (out == null) {
          out = new ArrayList<>(list);
        }
        out.set(i, r);
      }
    }
    return out;
  }

  /**
   * Returns the lower-case hex SHA-256 of a text's UTF-8 bytes, the form the redactor writes.
   *
   * @param text the text
   * @return 64 hex characters
   */
  public static String sha256(String text) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] d = md.digest(text.getBytes(StandardCharsets.UTF_8));
    char[] hex = new char[d.length * 2];
    for (int i = 0; i < d.length; i++) {
      hex[2 * i] = Character.forDigit((d[i] >> 4) & 0xF, 16);
      hex[2 * i + 1] = Character.forDigit(d[i] & 0xF, 16);
    }
    return new String(hex);
  }

  /** Builder of {@link PropertyRedactor}. */
  public static final class Builder {
    private final Map<String, Action> paths = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Drops the keys at these paths.
     *
     * @param paths e.g. {@code "properties.cardNumber"}, {@code "context.ip"}
     * @return this builder
     */
    public Builder drop(String... paths) {
      return add(Action.DROP, paths);
    }

    /**
     * Replaces the values at these paths with their SHA-256 (lower-case hex).
     *
     * @param paths e.g. {@code "traits.email"}, {@code "context.traits.email"}
     * @return this builder
     */
    public Builder hash(String... paths) {
      return add(Action.HASH, paths);
    }

    private Builder add(Action action, String... list) {
      for (String p : list) {
        paths.put(p, action);
      }
      return this;
    }

    /**
     * Creates the redactor.
     *
     * @return the redactor
     * @throws IllegalArgumentException naming a path that is blank, has an empty segment, does not
     *     start with properties, traits or context, names the root alone, or lies below another path
     */
    public PropertyRedactor build() {
      if (paths.isEmpty()) {
        throw new IllegalArgumentException("a PropertyRedactor needs at least one path");
      }
      Node root = new Node();
      for (Map.Entry<String, Action> e : paths.entrySet()) {
        String path = e.getKey();
        if (path == null || path.isBlank()) {
          throw new IllegalArgumentException("redactor path must not be null or blank");
        }
        List<String> segs = Arrays.asList(path.split("\\.", -1));
        if (segs.contains("")) {
          throw new IllegalArgumentException("redactor path '" + path + "' has an empty segment");
        }
        if (!List.of("properties", "traits", "context").contains(segs.get(0)) || segs.size() < 2) {
          throw new IllegalArgumentException("redactor path '" + path + "' must start with properties., traits. or"
              + " context. and name a key below it");
        }
        Node n = root;
        for (String s : segs) {
          if (n.action != null) {
            throw new IllegalArgumentException("redactor path '" + path + "' lies below another listed path");
          }
          n = n.children.computeIfAbsent(s, k -> new Node());
        }
        if (!n.children.isEmpty()) {
          throw new IllegalArgumentException("redactor path '" + path + "' lies above another listed path");
        }
        n.action = e.getValue();
      }
      return new PropertyRedactor(root);
    }
  }
}
