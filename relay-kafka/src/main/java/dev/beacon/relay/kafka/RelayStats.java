package dev.beacon.relay.kafka;

/**
 * A snapshot of a {@link KafkaRelay}'s counters since it started. Every consumed record ends up
 * delivered, dead-lettered, or still buffered (or handed back to the group when its partition
 * moved to another relay).
 */
public final class RelayStats {
  private final long consumed;
  private final long delivered;
  private final long deadLettered;
  private final long invalid;
  private final long requests;
  private final long retries;
  private final long batches;
  private final long commits;
  private final long bufferedRecords;
  private final long bufferedBytes;
  private final long lag;
  private final int assignedPartitions;
  private final int pausedPartitions;

  RelayStats(long consumed, long delivered, long deadLettered, long invalid, long requests, long retries,
      long batches, long commits, long bufferedRecords, long bufferedBytes, long lag, int assignedPartitions,
      int pausedPartitions) {
    this.consumed = consumed;
    this.delivered = delivered;
    this.deadLettered = deadLettered;
    this.invalid = invalid;
    this.requests = requests;
    this.retries = retries;
    this.batches = batches;
    this.commits = commits;
    this.bufferedRecords = bufferedRecords;
    this.bufferedBytes = bufferedBytes;
    this.lag = lag;
    this.assignedPartitions = assignedPartitions;
    this.pausedPartitions = pausedPartitions;
  }

  /**
   * Returns the records read from the topic.
   *
   * @return the count
   */
  public long consumed() {
    return consumed;
  }

  /**
   * Returns the messages the API accepted.
   *
   * @return the count
   */
  public long delivered() {
    return delivered;
  }

  /**
   * Returns the records written to the dead-letter topic (and acknowledged by it), invalid ones included.
   *
   * @return the count
   */
  public long deadLettered() {
    return deadLettered;
  }

  /**
   * Returns the records dead-lettered because they were not valid Segment messages.
   *
   * @return the count, part of {@link #deadLettered()}
   */
  public long invalid() {
    return invalid;
  }

  /**
   * Returns the HTTP requests made (first attempts and retries).
   *
   * @return the count
   */
  public long requests() {
    return requests;
  }

  /**
   * Returns the attempts that were retries.
   *
   * @return the count
   */
  public long retries() {
    return retries;
  }

  /**
   * Returns the batches delivered.
   *
   * @return the count
   */
  public long batches() {
    return batches;
  }

  /**
   * Returns the offset commits that succeeded (each covers the settled records of one or more partitions).
   *
   * @return the count
   */
  public long commits() {
    return commits;
  }

  /**
   * Returns the records held by the relay, consumed but not yet settled.
   *
   * @return the count
   */
  public long bufferedRecords() {
    return bufferedRecords;
  }

  /**
   * Returns the bytes of the records held by the relay (read, not settled), plus 96 bytes for
   * each settled record still waiting for an older record of its partition to settle; partitions
   * pause above the configured bound.
   *
   * @return the bytes
   */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /**
   * Returns the records in the assigned partitions not yet read, as of the last fetch.
   *
   * @return the lag, or -1 when unknown
   */
  public long lag() {
    return lag;
  }

  /**
   * Returns how many partitions this relay owns now.
   *
   * @return the count
   */
  public int assignedPartitions() {
    return assignedPartitions;
  }

  /**
   * Returns how many owned partitions are paused for backpressure.
   *
   * @return the count
   */
  public int pausedPartitions() {
    return pausedPartitions;
  }

  @Override
  public String toString() {
    return "RelayStats{consumed=" + consumed + ", delivered=" + delivered + ", deadLettered=" + deadLettered
        + ", invalid=" + invalid + ", requests=" + requests + ", retries=" + retries + ", batches=" + batches
        + ", commits=" + commits + ", bufferedRecords=" + bufferedRecords + ", bufferedBytes=" + bufferedBytes
        + ", lag=" + lag + ", assignedPartitions=" + assignedPartitions + ", pausedPartitions=" + pausedPartitions
        + "}";
  }
}
