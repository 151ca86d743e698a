package dev.beacon;

import java.time.Duration;

/**
 * What a {@link Analytics#flush()} or {@link Analytics#close(Duration)} achieved before it returned.
 *
 * @param complete true when every message accepted before the call was delivered or reported
 *     failed; false when the timeout passed first (or the call came from a Beacon thread, which
 *     must not wait)
 * @param pending messages accepted but not yet delivered or reported when the call returned
 * @param failedDuringWait messages reported to the error callback while the call waited (this may
 *     include messages accepted after the call began)
 * @param elapsed how long the call took
 */
public record FlushResult(boolean complete, long pending, long failedDuringWait, Duration elapsed) {
  /**
   * Returns whether everything covered by the call was delivered.
   *
   * @return true when complete and nothing failed while waiting
   */
  public boolean isSuccess() {
    return complete && failedDuringWait == 0;
  }
}
