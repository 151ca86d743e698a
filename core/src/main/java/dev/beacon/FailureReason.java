package dev.beacon;

/** Why accepted messages were finally not delivered and handed to the error callback. */
public enum FailureReason {
  /** The API refused them for good (400 or another non-retryable 4xx/5xx). */
  REJECTED,
  /** The API refused the write key (401 or 403). */
  UNAUTHORIZED,
  /** A single message was still too large for the API after splitting (413). */
  TOO_LARGE,
  /** Every retry allowed by the retry policy failed. */
  RETRIES_EXHAUSTED,
  /** The retry policy's total deadline passed before delivery. */
  DEADLINE_EXCEEDED,
  /** The client closed and its shutdown timeout passed before delivery. */
  SHUTDOWN,
  /**
   * Records in the spool were damaged (bad checksum, torn write) and skipped; the error callback
   * gets the count with no messages, since their content is lost.
   */
  SPOOL_CORRUPT,
  /** An unexpected error inside Beacon or the transport. */
  INTERNAL_ERROR
}
