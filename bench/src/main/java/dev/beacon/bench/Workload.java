package dev.beacon.bench;

import dev.beacon.Track;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one workload every benchmark and the side-by-side harness use: a {@code track} call for one
 * of 1,024 users with the event "Order Completed" and five properties (strings, a double, an int).
 * Serialized, a message is about 330 bytes, in the range of real e-commerce events.
 */
public final class Workload {
  /** The event name. */
  public static final String EVENT = "Order Completed";
  /** Number of distinct user ids (a power of two, so indexing is a mask). */
  public static final int USERS = 1024;

  private static final String[] USER_IDS = new String[USERS];
  /** The five properties, shared by every call (both libraries copy or serialize them). */
  public static final Map<String, Object> PROPERTIES;

  static {
    for (int i = 0; i < USERS; i++) {
      USER_IDS[i] = "user-" + (100_000 + i);
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("orderId", "ORD-12345");
    p.put("revenue", 99.99);
    p.put("currency", "USD");
    p.put("items", 3);
    p.put("coupon", "SPRING26");
    PROPERTIES = Collections.unmodifiableMap(p);
  }

  private Workload() {}

  /**
   * Returns the user id for call {@code i}.
   *
   * @param i any int
   * @return one of {@link #USERS} ids
   */
  public static String userId(int i) {
    return USER_IDS[i & (USERS - 1)];
  }

  /**
   * Builds the workload's message for call {@code i}, exactly as {@code Analytics.track} does.
   *
   * @param i any int
   * @return a validated, stamped message
   */
  public static Track track(int i) {
    return Track.builder(EVENT).userId(userId(i)).properties(PROPERTIES).build();
  }

  /**
   * Builds {@code n} distinct messages.
   *
   * @param n how many
   * @return a new list
   */
  public static List<Track> tracks(int n) {
    List<Track> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(track(i));
    }
    return list;
  }
}
