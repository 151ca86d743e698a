package dev.beacon.testkit;

import java.time.Instant;
import java.util.List;

/**
 * One request as a {@link CollectorServer} saw and answered it. What the client sent (path,
 * headers) and the detail are kept to their first 1,024 characters, followed by {@code ...} when cut.
 *
 * @param receivedAt when the request arrived (wall clock)
 * @param receivedNanos when the request arrived ({@link System#nanoTime()}), for measuring gaps
 * @param path the request path, e.g. {@code /v1/batch}
 * @param status the status answered, or 0 when the connection was dropped without an answer
 * @param detail why it was answered so: {@code "accepted"}, the fault, or the refusal reason
 * @param messageIds the messageIds in the body, when it could be parsed (empty in counting mode)
 * @param retryCount the {@code X-Retry-Count} header, or 0 when absent
 * @param bodyBytes body bytes as received
 * @param uncompressedBytes body bytes after gunzip
 * @param contentEncoding the {@code Content-Encoding} header, or null
 * @param contentType the {@code Content-Type} header, or null
 * @param userAgent the {@code User-Agent} header, or null
 * @param authorized whether the write key was accepted (false when a fault answered first)
 */
public record ReceivedRequest(
    Instant receivedAt,
    long receivedNanos,
    String path,
    int status,
    String detail,
    List<String> messageIds,
    int retryCount,
    long bodyBytes,
    long uncompressedBytes,
    String contentEncoding,
    String contentType,
    String userAgent,
    boolean authorized) {

  /**
   * Creates a record; the id list is copied.
   *
   * @param receivedAt see the record description
   * @param receivedNanos see the record description
   * @param path see the record description
   * @param status see the record description
   * @param detail see the record description
   * @param messageIds see the record description
   * @param retryCount see the record description
   * @param bodyBytes see the record description
   * @param uncompressedBytes see the record description
   * @param contentEncoding see the record description
   * @param contentType see the record description
   * @param userAgent see the record description
   * @param authorized see the record description
   */
  public ReceivedRequest {
    messageIds = List.copyOf(messageIds);
  }
}
