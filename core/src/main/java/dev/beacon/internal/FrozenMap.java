package dev.beacon.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable map a snapshot holds: keys and values in two arrays, in the caller's iteration
 * order. Cheaper to build than a {@code LinkedHashMap} (no entry objects) and iterated directly by
 * the serializer; lookups scan small maps and use a hash index for larger ones. Null values are
 * allowed, keys are unique non-null strings. Not API.
 */
public final class FrozenMap extends AbstractMap<String, Object> {
  private static final int SCAN_LIMIT = 8;

  private final String[] keys;
  private final Object[] values;
  private final int size;
  /**
   * Hash index of the keys, built on the first lookup in a map larger than {@link #SCAN_LIMIT}.
   * Racy single-check: readers may race with the thread that builds it, so it is published without
   * a lock or volatile (lookups stay one plain load) and made safe instead by being an immutable
   * object whose state is all in final fields: a thread that sees the reference sees the filled
   * table (JLS 17.5), and a thread that sees null builds an equal index of its own.
   */
  private Index index;

  /** Upper bound of this map's JSON size in bytes, as the snapshot walk that made it computed. */
  final int sizeBound;
  /** Nesting levels, this map included: 1 when no value is a map or list. */
  final int height;

  FrozenMap(String[] keys, Object[] values, int size, int sizeBound, int height) {
    this.keys = keys;
    this.values = values;
    this.size = size;
    this.sizeBound = sizeBound;
    this.height = height;
  }

  /**
   * Returns the key at a position.
   *
   * @param i 0 to size - 1
   * @return the key
   */
  public String keyAt(int i) {
    return keys[i];
  }

  /**
   * Returns the value at a position.
   *
   * @param i 0 to size - 1
   * @return the value, possibly null
   */
  public Object valueAt(int i) {
    return values[i];
  }

  @Override
  public int size() {
    return size;
  }

  private int indexOf(Object key) {
    if (size <= SCAN_LIMIT) {
      for (int i = 0; i < size; i++) {
        if (keys[i].equals(key)) {
          return i;
        }
      }
      return -1;
    }
    Index idx = index;
    if (idx == null) {
      idx = new Index(keys, size);
      index = idx;
    }
    return idx.indexOf(keys, key);
  }

  /** Open-addressing table of key positions; immutable once constructed. */
  private static final class Index {
    /** Position + 1 of the key in each slot, 0 for an empty slot; at most half full. */
    private final int[] slots;
    private final int mask;

    Index(String[] keys, int size) {
      int capacity = Integer.highestOneBit(Math.max(2, size) * 2 - 1) << 1;
      int[] table = new int[capacity];
      int m = capacity - 1;
      for (int i = 0; i < size; i++) {
        int s = spread(keys[i].hashCode()) & m;
        while (table[s] != 0) {
          s = (s + 1) & m;
        }
        table[s] = i + 1;
      }
      this.slots = table;
      this.mask = m;
    }

    int indexOf(String[] keys, Object key) {
      if (!(key instanceof String)) {
        return -1;
      }
      int s = spread(key.hashCode()) & mask;
      int at;
      while ((at = slots[s]) != 0) {
        if (keys[at - 1].equals(key)) {
          return at - 1;
        }
        s = (s + 1) & mask;
      }
      return -1;
    }

    private static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Object get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : values[i];
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < size;
          }

          @Override
          public Entry<String, Object> next() {
            if (i >= size) {
              throw new NoSuchElementException();
            }
            int at = i++;
            return new SimpleImmutableEntry<>(keys[at], values[at]);
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Map && super.equals(o));
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < size; i++) {
      h += Objects.hashCode(keys[i]) ^ Objects.hashCode(values[i]);
    }
    return h;
  }
}
