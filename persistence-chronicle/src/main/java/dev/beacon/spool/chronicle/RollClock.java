package dev.beacon.spool.chronicle;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The journal's clock: Chronicle Queue rolls to a new cycle file only when its clock enters the
 * next cycle, so a busy spool would write a whole cycle of traffic (five minutes) into one file,
 * and a file can only be deleted once every record in it is acknowledged: disk use would be one
 * cycle of traffic whatever {@code maxSpoolBytes} says. This clock reads the wall clock (or a
 * test's clock) but never goes below a floor that the spool raises to the start of the next cycle
 * once the current file holds its share of {@code maxSpoolBytes} ({@link #rollAfter}): the next
 * append then opens a new file, and files stay small enough to be deleted soon after their records
 * are acknowledged, at any rate. Cycle file names stay in time order (which deletion relies on);
 * under sustained load they run ahead of the wall clock (one five-minute cycle per roll), and
 * Chronicle never appends to a cycle before the last one written, so a restart with the wall clock
 * behind goes on from there. Not API.
 */
final class RollClock implements TimeProvider {
  private final TimeProvider base;
  private final long cycleMillis;
  /** The earliest time this clock reports; only raised. */
  private volatile long floorMillis = Long.MIN_VALUE;

  RollClock(TimeProvider base, long cycleMillis) {
    this.base = base;
    this.cycleMillis = cycleMillis;
  }

  @Override
  public long currentTimeMillis() {
    return Math.max(base.currentTimeMillis(), floorMillis);
  }

  /**
   * Makes the clock read at least the start of the cycle after {@code cycle}, so that the next
   * append rolls to a new file. Called by the appending thread (one at a time) or at open.
   */
  void rollAfter(int cycle) {
    long next = (cycle + 1L) * cycleMillis;
    if (next > floorMillis) {
      floorMillis = next;
    }
  }
}
