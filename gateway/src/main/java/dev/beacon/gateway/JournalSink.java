package dev.beacon.gateway;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.internal.FastIds;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.RawEntry;
import dev.beacon.internal.RawMessage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The local-journal sink: a Beacon client with the Chronicle spool, forwarding to any
 * Segment-compatible API with the HTTP transport. An append completes only once every event's
 * {@code enqueue} returned {@code true}, which with {@link SpoolDurability#PROCESS_CRASH} means the
 * event is written to the journal's memory-mapped file (it survives {@code kill -9}), and with
 * {@link SpoolDurability#OS_CRASH} that a sync covering it completed. It fails with
 * {@link Sink.Unavailable} when the journal is full, the spool is degraded (disk full or
 * unwritable: the client holds events in memory only, and tries the disk again, at most once a
 * second, when events arrive — so a degraded journal recovers only while requests come in) or, with {@code OS_CRASH}, when a sync
 * did not complete in time; those events may still be delivered (they share their messageId with
 * what the client sends again). {@code enqueue} may block ({@code OS_CRASH} waits for its sync): the
 * gateway calls {@link #append} on worker threads only.
 *
 * <p>The forward write key is the destination's, not a source's: it is never logged.
 */
public final class JournalSink implements Sink {
  private final Analytics analytics;
  private final SpoolDurability durability;
  private final String destination;
  private volatile boolean closed;

  private JournalSink(Analytics analytics, SpoolDurability durability, URI forward) {
    this.analytics = analytics;
    this.durability = durability;
    this.destination = forward.getScheme() + "://" + forward.getAuthority();
  }

  /**
   * Opens the journal and starts forwarding.
   *
   * @param spoolDirectory the journal's directory, used by this gateway alone
   * @param forward the base URI of the Segment-compatible API to deliver to
   * @param forwardWriteKey the destination's write key
   * @param durability when an event counts as durable ({@code BUFFERED} is refused: it acknowledges
   *     before the journal has the event)
   * @return the sink
   * @throws IllegalArgumentException for a bad option
   * @throws IllegalStateException when the journal cannot be opened (Chronicle's JVM flags missing,
   *     directory not writable, used by another process)
   */
  public static JournalSink open(Path spoolDirectory, URI forward, String forwardWriteKey, SpoolDurability durability) {
    Objects.requireNonNull(spoolDirectory, "spoolDirectory");
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(durability, "durability");
    if (durability == SpoolDurability.BUFFERED) {
      throw new IllegalArgumentException("durability must be PROCESS_CRASH or OS_CRASH: BUFFERED would answer 200"
          + " before the journal has the event");
    }
    Analytics a = Analytics.builder(forwardWriteKey)
        .endpoint(forward)
        // The HTTP transport by name: another on the class path (Kafka's) must not be chosen.
        .transportName("http")
        .spoolDirectory(spoolDirectory)
        .spoolRequired(true)
        .spoolDurability(durability)
        .shutdownHook(false)
        .build();
    return new JournalSink(a, durability, forward);
  }

  @Override
  public CompletableFuture<Void> append(List<Event> events) {
    if (closed) {
      return CompletableFuture.failedFuture(new Unavailable("the gateway is stopping"));
    }
    // Every event is judged before any is journaled: a refusal never leaves part of a request stored.
    // A complete message (every SDK's: messageId, timestamp, context.library) is journaled and
    // forwarded as the bytes the gateway made of it: what the SDK sent plus receivedAt, context.ip
    // and a messageId. One lacking a timestamp or context.library is completed as Beacon completes
    // any message (see docs/gateway.md, "Fidelity"); the rest goes through the codec, which refuses
    // what it must.
    Object[] entries = new Object[events.size()];
    long now = System.currentTimeMillis();
    for (int i = 0; i < entries.length; i++) {
      Event e = events.get(i);
      byte[] json = e.json();
      // What the gateway already found complete and valid is taken as it is: no second scan (issue 22).
      RawMessage raw = RawMessage.ofJudged(json, e.complete(), FastIds::randomUuid, now);
      if (raw != null) {
        entries[i] = raw;
        continue;
      }
      try {
        entries[i] = MessageCodec.decode(json, 0, json.length);
      } catch (IllegalArgumentException ex) {
        return CompletableFuture.failedFuture(new Refused("a message cannot be journaled: " + ex.getMessage()));
      }
    }
    // No refusal up front while the spool is degraded: the engine notices that the disk is writable
    // again only when it tries to append, so events keep going to enqueue (into memory meanwhile,
    // answered 503 below); a gateway that stopped calling it would stay degraded for good.
    Stats before = analytics.stats();
    for (Object m : entries) {
      boolean accepted = m instanceof RawMessage ? RawEntry.offer(analytics, (RawMessage) m) : analytics.enqueue((Message) m);
      if (!accepted) {
        return CompletableFuture.failedFuture(new Unavailable("the journal is full or closing"));
      }
    }
    Stats after = analytics.stats();
    if (after.spoolDegraded()) {
      // The client fell back to memory during these appends: not durable, so no 200.
      return CompletableFuture.failedFuture(new Unavailable("the journal is not writable (disk full?)"));
    }
    if (durability == SpoolDurability.OS_CRASH && after.spoolSyncTimeouts() > before.spoolSyncTimeouts()) {
      // Some call returned without its sync (it may have been another request's): answer 503 rather
      // than risk a 200 for an event the disk may not hold.
      return CompletableFuture.failedFuture(new Unavailable("the journal's sync did not complete in time"));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean ready() {
    return !closed && !analytics.stats().spoolDegraded();
  }

  @Override
  public String state() {
    if (closed) {
      return "journal closed";
    }
    Stats s = analytics.stats();
    return (s.spoolDegraded() ? "journal degraded (not writable)" : "journal ok") + " (" + durability
        + "), forwarding to " + destination;
  }

  /**
   * The forwarding client's counters (delivered, pending, failures).
   *
   * @return a snapshot
   */
  public Stats stats() {
    return analytics.stats();
  }

  @Override
  public boolean close(Duration timeout) {
    closed = true;
    FlushResult r = analytics.close(timeout);
    return r.isSuccess();
  }

  @Override
  public String toString() {
    return "JournalSink{" + state() + "}";
  }
}
