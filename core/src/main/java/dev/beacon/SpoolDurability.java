package dev.beacon;

/**
 * How durable an accepted message is when a spool directory is set (see
 * {@code Analytics.Builder#spoolDirectory}).
 */
public enum SpoolDurability {
  /**
   * The default: a call returns {@code true} only once its message is written to the journal's
   * memory-mapped file — by the calling thread itself, without a hand-off to another thread — so it
   * survives the process being killed ({@code kill -9}) from that moment.
   * An operating-system crash or power loss can lose what the OS had not yet written back.
   */
  PROCESS_CRASH,
  /**
   * Also survives an operating-system crash: after its append, a call waits until a sync
   * ({@code fdatasync}) that covers its message completed; one sync serves every call that appended
   * before it began (group commit). The sync runs on a thread of the client, never on the caller,
   * so the wait is bounded by {@code flushTimeout} even when the device stalls: a call whose sync
   * takes longer, or fails, returns {@code true} anyway (its message is journaled and sent) and is
   * counted in {@link Stats#spoolSyncTimeouts()}. Slower; see docs/spool.md.
   */
  OS_CRASH,
  /**
   * Opt-in and faster: calls return as soon as the message is in the in-memory ring, and the
   * journal is written a moment later. Messages accepted but not yet journaled — at most the ring's
   * capacity, typically the last few milliseconds of calls — are lost if the process dies.
   */
  BUFFERED
}
