package dev.beacon.wire;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A batch-level object ({@code context}, {@code integrations}) with one message's own object laid
 * over it, without copying the batch's: the message's values win, and an object present on both
 * sides is itself a {@code MergedMap}. It holds the message's keys only, so merging a batch context
 * of thousands of keys into 2,500 messages costs 2,500 small maps, not 2,500 copies (issue 26,
 * item 4); building it is linear in the message's own object, however deep. Keys iterate in the
 * batch's order, then the message's new keys in theirs. Unmodifiable.
 */
final class MergedMap extends AbstractMap<String, Object> {
  private final Map<String, Object> base;
  /** The message's own entries, nested objects already merged with the batch's. */
  private final Map<String, Object> top;
  private final int size;

  @SuppressWarnings("unchecked")
  MergedMap(Map<String, Object> base, Map<String, Object> own) {
    this.base = base;
    this.top = new LinkedHashMap<>(own.size() * 2);
    int added = 0;
    for (Map.Entry<String, Object> e : own.entrySet()) {
      Object b = base.get(e.getKey());
      Object v = e.getValue();
      if (b instanceof Map && v instanceof Map) {
        v = new MergedMap((Map<String, Object>) b, (Map<String, Object>) v);
      }
      top.put(e.getKey(), v);
      if (!base.containsKey(e.getKey())) {
        added++;
      }
    }
    this.size = base.size() + added;
  }

  @Override
  public Object get(Object key) {
    return top.containsKey(key) ? top.get(key) : base.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return top.containsKey(key) || base.containsKey(key);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Entries();
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  /** The batch's entries (with the message's value where it has one), then the message's new keys. */
  private final class Entries implements Iterator<Entry<String, Object>> {
    private final Iterator<Entry<String, Object>> fromBase = base.entrySet().iterator();
    private final Iterator<Entry<String, Object>> fromTop = top.entrySet().iterator();
    private Entry<String, Object> next;

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (fromBase.hasNext()) {
        Entry<String, Object> e = fromBase.next();
        next = top.containsKey(e.getKey()) ? new SimpleImmutableEntry<>(e.getKey(), top.get(e.getKey()))
            : new SimpleImmutableEntry<>(e);
        return true;
      }
      while (fromTop.hasNext()) {
        Entry<String, Object> e = fromTop.next();
        if (!base.containsKey(e.getKey())) {
          next = new SimpleImmutableEntry<>(e);
          return true;
        }
      }
      return false;
    }

    @Override
    public Entry<String, Object> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Entry<String, Object> e = next;
      next = null;
      return e;
    }
  }
}
