package dev.beacon.relay.kafka;

/**
 * Why the relay wrote a record to the dead-letter topic; the value of its
 * {@value KafkaRelay#HEADER_REASON} header.
 */
public enum DeadLetterReason {
  /** The record is not a valid Segment message (not JSON, wrong type, missing ids, over 32 KB...). */
  INVALID,
  /** The API refused the batch for good (400 or another non-retryable status). */
  REJECTED,
  /** The API refused the write key (401 or 403). */
  UNAUTHORIZED,
  /** The message alone was still too large for the API (413). */
  TOO_LARGE,
  /** Every retry the retry policy allows failed. */
  RETRIES_EXHAUSTED,
  /** The retry policy's total deadline passed before delivery. */
  DEADLINE_EXCEEDED
}
