package dev.beacon.testkit;

import java.util.Map;

/**
 * A snapshot of a {@link CollectorServer}'s counters.
 *
 * @param requests every request received, faults and refusals included
 * @param acceptedRequests requests answered 2xx after processing
 * @param messages messages accepted (0 in counting mode, which does not parse bodies)
 * @param distinctMessageIds distinct {@code messageId}s among the accepted messages (an id seen again
 *     after {@link CollectorServer.Builder#maxTrackedMessageIds(int)} newer ones counts again)
 * @param duplicates accepted messages whose {@code messageId} is among the recent ones accepted
 *     before ({@link CollectorServer.Builder#maxTrackedMessageIds(int)}, 100,000 by default)
 * @param bytesReceived request body bytes as they came on the wire (compressed when gzip); a body
 *     refused from the request's headers alone (wrong path, method or write key, a Content-Length
 *     over the limit) is not read and not counted
 * @param bytesUncompressed request body bytes after gunzip
 * @param faultsInjected requests answered by a scripted or random {@link ServerFault}
 * @param rejected requests refused by the server itself: bad write key (401), invalid (400),
 *     too large (413 or 400)
 * @param statusCounts answers by HTTP status; dropped connections count under 0
 * @param warnings accepted messages that Segment's API accepts but an SDK should not send, by
 *     kind (e.g. {@code "no context.library"}); see {@link CollectorServer.Builder#strict(boolean)}
 */
public record CollectorStats(
    long requests,
    long acceptedRequests,
    long messages,
    long distinctMessageIds,
    long duplicates,
    long bytesReceived,
    long bytesUncompressed,
    long faultsInjected,
    long rejected,
    Map<Integer, Long> statusCounts,
    Map<String, Long> warnings) {

  /**
   * Creates a snapshot; the map is copied.
   *
   * @param requests see the record description
   * @param acceptedRequests see the record description
   * @param messages see the record description
   * @param distinctMessageIds see the record description
   * @param duplicates see the record description
   * @param bytesReceived see the record description
   * @param bytesUncompressed see the record description
   * @param faultsInjected see the record description
   * @param rejected see the record description
   * @param statusCounts see the record description
   * @param warnings see the record description
   */
  public CollectorStats {
    statusCounts = Map.copyOf(statusCounts);
    warnings = Map.copyOf(warnings);
  }

  /**
   * Returns how many warnings of every kind were counted.
   *
   * @return the sum of {@link #warnings()}
   */
  public long warningCount() {
    return warnings.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Returns how many requests got this status.
   *
   * @param status an HTTP status, or 0 for dropped connections
   * @return the count
   */
  public long count(int status) {
    return statusCounts.getOrDefault(status, 0L);
  }

  /**
   * Returns the compression ratio of request bodies.
   *
   * @return uncompressed bytes per wire byte, 1.0 without gzip, 0 before any request
   */
  public double gzipRatio() {
    return bytesReceived == 0 ? 0 : (double) bytesUncompressed / bytesReceived;
  }

  /**
   * Returns the mean number of messages per accepted request.
   *
   * @return the average batch size, 0 before any
   */
  public double averageBatchSize() {
    return acceptedRequests == 0 ? 0 : (double) messages / acceptedRequests;
  }
}
