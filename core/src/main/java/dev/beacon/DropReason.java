package dev.beacon;

/** Why a call was refused (returned {@code false}); refused messages were never accepted. */
public enum DropReason {
  /** The ring was full: {@code maxQueueSize} messages were waiting (or the block timed out). */
  QUEUE_FULL,
  /** The queued messages' estimated serialized size reached {@code maxQueueBytes}. */
  QUEUE_BYTES_FULL,
  /**
   * The spool's backlog on disk reached {@code maxSpoolBytes} (with {@link QueueFullPolicy#block},
   * no acknowledgement made room within the block timeout).
   */
  SPOOL_FULL,
  /** The client was closed, or is closing. */
  CLOSED,
  /**
   * Sync mode only: no request slot freed up within {@code flushTimeout}, so the message was not
   * sent; the call threw a {@link DeliveryException} with {@link FailureReason#DEADLINE_EXCEEDED}.
   */
  NO_REQUEST_SLOT,
  /** A {@link dev.beacon.spi.Plugin} returned {@code null}: filtered out on purpose, never queued. */
  FILTERED
}
