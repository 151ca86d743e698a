package dev.beacon.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
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
  private HashMap<String, Integer> index;

  FrozenMap(String[] keys, Object[] values, int size) {
    this.keys = keys;
    this.values = values;
    this.size = size;
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
    HashMap<String, Integer> idx = index;
    if (idx == null) {
      idx = new HashMap<>(size * 2);
      for (int i = 0; i < size; i++) {
        idx.put(keys[i], i);
      }
      index = idx; // benign race: every thread builds the same index
    }
    Integer i = idx.get(key);
    return i == null ? -1 : i;
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
