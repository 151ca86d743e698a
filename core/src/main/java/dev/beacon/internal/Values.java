package dev.beacon.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshots caller values into immutable JSON-ready structures and bounds their serialized size in
 * the same pass. Not API: may change without notice.
 *
 * <p>After a snapshot, a value is one of: {@code null}, {@link String}, {@link Boolean},
 * {@link Integer}, {@link Long}, {@link Short}, {@link Byte}, finite {@link Double} or
 * {@link Float}, {@link BigDecimal}, {@link BigInteger}, an unmodifiable {@code Map<String,Object>}
 * or an unmodifiable {@code List<Object>} of such values. Strings never hold lone surrogates.
 */
public final class Values {
  /** Deepest nesting accepted; deeper structures are almost certainly a mistake. */
  public static final int MAX_DEPTH = 64;

  private Values() {}

  /** A snapshot map and an upper bound of its JSON size in bytes. */
  public record Snapshot(Map<String, Object> map, int sizeBound) {}

  private static final Snapshot EMPTY = new Snapshot(new FrozenMap(new String[0], new Object[0], 0, 2, 1), 2);

  /**
   * Snapshots a top-level object field such as {@code properties}.
   *
   * @param map the caller's map, or null
   * @param path the field name used in error messages
   * @return the immutable copy and its size bound
   * @throws IllegalArgumentException naming the path of the first unsupported value
   */
  public static Snapshot snapshotObject(Map<?, ?> map, String path) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map instanceof FrozenMap) {
      // Already a snapshot (e.g. another message's context, or a plugin's constant map): immutable,
      // validated and measured when it was made, so it is reused as it is.
      FrozenMap f = (FrozenMap) map;
      return new Snapshot(f, f.sizeBound);
    }
    Walker w = new Walker(path);
    Map<String, Object> copy = w.map(map, 0);
    return new Snapshot(copy, (int) Math.min(Integer.MAX_VALUE, w.bound));
  }

  /**
   * One snapshot walk. The path of the current value (for error messages only) is kept as a stack
   * of keys and indexes and turned into text only when a value is rejected.
   */
  private static final class Walker {
    long bound;
    private final String root;
    /** Containers being walked, outermost first, for cycle detection. */
    private Object[] containers = new Object[8];
    /** Key (String) or index (Integer) of the child being walked at each depth. */
    private Object[] segments = new Object[8];
    private int depth;
    /** Deepest depth entered so far in the current map's subtree (for {@link FrozenMap#height}). */
    private int deepest;

    Walker(String root) {
      this.root = root;
    }

    private String path() {
      StringBuilder b = new StringBuilder(root);
      for (int i = 0; i < depth; i++) {
        Object seg = segments[i];
        if (seg == null) {
          break; // the container itself is at fault (a bad key), not one of its values
        }
        if (seg instanceof Integer) {
          b.append('[').append(seg).append(']');
        } else {
          b.append('.').append(seg);
        }
      }
      return b.toString();
    }

    private void enter(Object container) {
      for (int i = 0; i < depth; i++) {
        if (containers[i] == container) {
          throw new IllegalArgumentException(path() + ": cyclic reference (a map or list contains itself)");
        }
      }
      if (depth >= MAX_DEPTH) {
        throw new IllegalArgumentException(path() + ": nested deeper than " + MAX_DEPTH + " levels");
      }
      if (depth == containers.length) {
        containers = java.util.Arrays.copyOf(containers, depth * 2);
        segments = java.util.Arrays.copyOf(segments, depth * 2);
      }
      containers[depth] = container;
      depth++;
      if (depth > deepest) {
        deepest = depth;
      }
    }

    private void leave() {
      depth--;
      containers[depth] = null;
      segments[depth] = null;
    }

    private void at(Object segment) {
      segments[depth - 1] = segment;
    }

    Map<String, Object> map(Map<?, ?> map, int unused) {
      if (map instanceof FrozenMap) {
        // A snapshot holds only snapshots (no cycle can lead back to a container being walked):
        // reuse it when its nesting fits below this depth, else walk it to report the depth.
        FrozenMap f = (FrozenMap) map;
        if (depth + f.height <= MAX_DEPTH) {
          bound += f.sizeBound;
          if (depth + f.height > deepest) {
            deepest = depth + f.height;
          }
          return f;
        }
      }
      long start = bound;
      int outerDeepest = deepest;
      int base = depth;
      deepest = depth;
      enter(map);
      int capacity = map.size();
      String[] keys = new String[capacity];
      Object[] values = new Object[capacity];
      int n = 0;
      boolean repaired = false;
      bound += 2;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object k = e.getKey();
        if (!(k instanceof String)) {
          throw new IllegalArgumentException(path() + ": keys must be strings but found "
              + (k == null ? "a null key" : "key of type " + k.getClass().getName()));
        }
        String key = (String) k;
        int keyBound = MessageSizes.stringBoundIfWellFormed(key);
        if (keyBound < 0) {
          key = MessageSizes.sanitize(key);
          keyBound = MessageSizes.stringBound(key);
          repaired = true;
        }
        at(key);
        bound += keyBound + 2; // "key": and the comma
        if (n == keys.length) { // the map grew while we copied it
          keys = java.util.Arrays.copyOf(keys, Math.max(4, n * 2));
          values = java.util.Arrays.copyOf(values, keys.length);
        }
        keys[n] = key;
        values[n] = value(e.getValue());
        n++;
      }
      leave();
      if (repaired) {
        // Two keys may have become equal once repaired: keep the last, as a map would.
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          copy.put(keys[i], values[i]);
        }
        keys = copy.keySet().toArray(new String[0]);
        values = copy.values().toArray();
        n = keys.length;
      }
      int height = deepest - base;
      deepest = Math.max(outerDeepest, deepest);
      return new FrozenMap(keys, values, n, (int) Math.min(Integer.MAX_VALUE, bound - start), height);
    }

    private List<Object> list(Collection<?> c) {
      enter(c);
      ArrayList<Object> copy = new ArrayList<>(c.size());
      bound += 2;
      int i = 0;
      for (Object o : c) {
        at(i++);
        bound += 1;
        copy.add(value(o));
      }
      leave();
      return Collections.unmodifiableList(copy);
    }

    private List<Object> array(Object array) {
      enter(array);
      int n = Array.getLength(array);
      ArrayList<Object> copy = new ArrayList<>(n);
      bound += 2;
      for (int i = 0; i < n; i++) {
        at(i);
        bound += 1;
        copy.add(value(Array.get(array, i)));
      }
      leave();
      return Collections.unmodifiableList(copy);
    }

    private Object string(String s) {
      int b = MessageSizes.stringBoundIfWellFormed(s);
      if (b < 0) {
        s = MessageSizes.sanitize(s);
        b = MessageSizes.stringBound(s);
      }
      bound += b;
      return s;
    }

    Object value(Object v) {
      if (v == null) {
        bound += 4;
        return null;
      }
      if (v instanceof String) {
        return string((String) v);
      }
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        bound += 20;
        return v;
      }
      if (v instanceof Double) {
        double d = (Double) v;
        checkFinite(Double.isNaN(d), Double.isInfinite(d));
        bound += 25;
        return v;
      }
      if (v instanceof Float) {
        float f = (Float) v;
        checkFinite(Float.isNaN(f), Float.isInfinite(f));
        bound += 25;
        return v;
      }
      if (v instanceof Boolean) {
        bound += 5;
        return v;
      }
      if (v instanceof Map) {
        return map((Map<?, ?>) v, 0);
      }
      if (v instanceof Collection) {
        return list((Collection<?>) v);
      }
      if (v instanceof BigDecimal) {
        BigDecimal b = (BigDecimal) v;
        checkRange(b);
        bound += b.toString().length();
        return b;
      }
      if (v instanceof BigInteger) {
        BigInteger b = (BigInteger) v;
        checkRange(b);
        bound += b.bitLength() / 3 + 2;
        return b;
      }
      if (v instanceof AtomicInteger || v instanceof AtomicLong) {
        bound += 20;
        return ((Number) v).longValue();
      }
      if (v instanceof CharSequence || v instanceof Character) {
        return string(v.toString());
      }
      if (v instanceof Enum) {
        return string(((Enum<?>) v).name());
      }
      if (v instanceof UUID) {
        bound += 38;
        return v.toString();
      }
      if (v instanceof Instant) {
        return string(Timestamps.format((Instant) v));
      }
      if (v instanceof Date) {
        // java.sql.Date#toInstant throws; the epoch milliseconds work for every Date subclass.
        return string(Timestamps.format(Instant.ofEpochMilli(((Date) v).getTime())));
      }
      if (v instanceof ZonedDateTime) {
        return string(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((ZonedDateTime) v));
      }
      if (v instanceof TemporalAccessor || v instanceof TemporalAmount) {
        // LocalDate, OffsetDateTime, Duration, Period...: their toString() is ISO-8601.
        return string(v.toString());
      }
      if (v instanceof Optional) {
        return value(((Optional<?>) v).orElse(null));
      }
      if (v.getClass().isArray()) {
        return array(v);
      }
      if (v instanceof Number) {
        throw new IllegalArgumentException(path() + ": unsupported number type " + v.getClass().getName()
            + "; use Integer, Long, Double, BigDecimal or BigInteger");
      }
      throw new IllegalArgumentException(path() + ": unsupported value type " + v.getClass().getName()
          + "; use strings, numbers, booleans, null, maps with string keys, lists, sets, arrays,"
          + " enums, UUID, java.time types or Date");
    }

    /** The wire format's range ({@link WireRules#checkNumber}), so that what is sent can be read back. */
    private void checkRange(Number n) {
      try {
        WireRules.checkNumber(n);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path() + ": " + e.getMessage());
      }
    }

    private void checkFinite(boolean nan, boolean infinite) {
      if (nan) {
        throw new IllegalArgumentException(path() + ": NaN cannot be represented in JSON");
      }
      if (infinite) {
        throw new IllegalArgumentException(path() + ": Infinity cannot be represented in JSON");
      }
    }
  }
}
