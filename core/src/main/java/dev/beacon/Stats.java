package dev.beacon;

import java.util.Map;

/**
 * A snapshot of a client's counters. Conservation holds at every moment:
 * {@code accepted + recovered == delivered + failed + notSent + pending}, and
 * {@code pending == queued + inFlight}.
 *
 * @param accepted calls that returned {@code true}
 * @param recovered messages found in the spool at start, left by an earlier run
 * @param delivered messages the API acknowledged
 * @param failed messages reported to the error callback
 * @param notSent messages processed with {@code send(false)} and never sent
 * @param pending accepted messages not yet delivered, failed or processed
 * @param queued pending messages still in the ring, not yet batched
 * @param inFlight pending messages in batches being built, sent or retried, or waiting in the spool
 * @param dropped calls that returned {@code false} (never accepted)
 * @param droppedByReason {@code dropped}, by reason
 * @param failedByReason {@code failed}, by reason
 * @param batches batches delivered
 * @param requests send attempts made (first attempts and retries)
 * @param retries send attempts that were retries
 * @param queuedBytes estimated serialized bytes of pending messages (bounded by maxQueueBytes)
 * @param callbackErrors exceptions thrown by the error callback
 * @param spooled messages in the spool not yet delivered or reported (0 without a spool)
 * @param spoolDegraded true while the spool cannot be written and messages are kept in memory only
 * @param pluginErrors exceptions thrown by {@link dev.beacon.spi.Plugin}s (each message kept as it was)
 * @param spoolSyncTimeouts {@code OS_CRASH} calls that returned without a sync covering their message
 *     (the sync took longer than {@code flushTimeout}, or failed): each message is journaled (or,
 *     past a busy append lock, still to be journaled by the consumer) and sent, but may not
 *     survive an operating-system crash
 * @param spoolLockBypasses calls with {@code PROCESS_CRASH} or {@code OS_CRASH} that did not append
 *     their own message because the journal's append lock stayed held past a small budget (a
 *     stalled mapped write, a file roll) and took the ring instead, or followed such a call there to
 *     keep their thread's order; the consumer journals their messages, and each call still returns
 *     only once its message is journaled ({@code PROCESS_CRASH}) or synced ({@code OS_CRASH}, else
 *     counted in {@code spoolSyncTimeouts})
 */
public record Stats(
    long accepted,
    long recovered,
    long delivered,
    long failed,
    long notSent,
    long pending,
    long queued,
    long inFlight,
    long dropped,
    Map<DropReason, Long> droppedByReason,
    Map<FailureReason, Long> failedByReason,
    long batches,
    long requests,
    long retries,
    long queuedBytes,
    long callbackErrors,
    long spooled,
    boolean spoolDegraded,
    long pluginErrors,
    long spoolSyncTimeouts,
    long spoolLockBypasses) {

  /**
   * Creates a snapshot; the maps are copied, in the order of their enums.
   *
   * @param accepted see the record description
   * @param recovered see the record description
   * @param delivered see the record description
   * @param failed see the record description
   * @param notSent see the record description
   * @param pending see the record description
   * @param queued see the record description
   * @param inFlight see the record description
   * @param dropped see the record description
   * @param droppedByReason see the record description
   * @param failedByReason see the record description
   * @param batches see the record description
   * @param requests see the record description
   * @param retries see the record description
   * @param queuedBytes see the record description
   * @param callbackErrors see the record description
   * @param spooled see the record description
   * @param spoolDegraded see the record description
   * @param pluginErrors see the record description
   * @param spoolSyncTimeouts see the record description
   * @param spoolLockBypasses see the record description
   */
  public Stats {
    droppedByReason = ordered(droppedByReason, DropReason.class);
    failedByReason = ordered(failedByReason, FailureReason.class);
  }

  private static <K extends Enum<K>> Map<K, Long> ordered(Map<K, Long> m, Class<K> type) {
    java.util.EnumMap<K, Long> copy = new java.util.EnumMap<>(type);
    copy.putAll(m);
    return java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * Returns the drops for one reason.
   *
   * @param reason the reason
   * @return the count, 0 when none
   */
  public long dropped(DropReason reason) {
    return droppedByReason.getOrDefault(reason, 0L);
  }

  /**
   * Returns the failures for one reason.
   *
   * @param reason the reason
   * @return the count, 0 when none
   */
  public long failed(FailureReason reason) {
    return failedByReason.getOrDefault(reason, 0L);
  }
  /**
   * Returns the counters that are not zero, in declaration order, e.g. {@code Stats[accepted=100,
   * delivered=98, failed=2, failedByReason={REJECTED=2}, batches=1, requests=1]}; a zero counter or
   * reason is left out, {@code spoolDegraded} appears only when true, and a fresh client prints
   * {@code Stats[all zero]}. The accessors give every value.
   *
   * @return a compact description
   */
  @Override
  public String toString() {
    java.util.List<String> parts = new java.util.ArrayList<>();
    long[] values = {accepted, recovered, delivered, failed, notSent, pending, queued, inFlight, dropped};
    String[] names = {"accepted", "recovered", "delivered", "failed", "notSent", "pending", "queued", "inFlight",
        "dropped"};
    for (int i = 0; i < values.length; i++) {
      nonZero(parts, names[i], values[i]);
    }
    nonZero(parts, "droppedByReason", droppedByReason);
    nonZero(parts, "failedByReason", failedByReason);
    nonZero(parts, "batches", batches);
    nonZero(parts, "requests", requests);
    nonZero(parts, "retries", retries);
    nonZero(parts, "queuedBytes", queuedBytes);
    nonZero(parts, "callbackErrors", callbackErrors);
    nonZero(parts, "spooled", spooled);
    if (spoolDegraded) {
      parts.add("spoolDegraded=true");
    }
    nonZero(parts, "pluginErrors", pluginErrors);
    nonZero(parts, "spoolSyncTimeouts", spoolSyncTimeouts);
    nonZero(parts, "spoolLockBypasses", spoolLockBypasses);
    return "Stats[" + (parts.isEmpty() ? "all zero" : String.join(", ", parts)) + "]";
  }

  private static void nonZero(java.util.List<String> parts, String name, long value) {
    if (value != 0) {
      parts.add(name + "=" + value);
    }
  }

  private static void nonZero(java.util.List<String> parts, String name, Map<?, Long> byReason) {
    java.util.List<String> inner = new java.util.ArrayList<>();
    byReason.forEach((reason, n) -> {
      if (n != 0) {
        inner.add(reason + "=" + n);
      }
    });
    if (!inner.isEmpty()) {
      parts.add(name + "={" + String.join(", ", inner) + "}");
    }
  }
}
