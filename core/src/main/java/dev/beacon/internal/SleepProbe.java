package dev.beacon.internal;

/**
 * A test seam into the deep sleep of the consumer and of the spool reader: the two points between
 * which a lost wake-up would hide. A test uses it to make a waker act at the exact moment of the
 * race (after the sleeper decided to sleep, before it raised the flag the wakers read) and to see
 * whether the sleeper then parks. Production code never sets one: the sleepers read a volatile
 * field once per deep sleep, never on the hot path. Not API.
 */
interface SleepProbe {
  /** The sleeper decided to sleep deeply and has not yet raised the flag its wakers read. */
  void deciding();

  /** The sleeper re-checked every condition its wakers signal, found none, and parks now. */
  void parking();
}
