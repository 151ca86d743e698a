package dev.beacon;

import java.net.URI;

/**
 * Segment's regional API endpoints. Data sent to the wrong region is rejected or lost, so pick
 * the one your workspace lives in.
 */
public enum Region {
  /** {@code https://api.segment.io}, the default. */
  US(URI.create("https://api.segment.io")),
  /** {@code https://events.eu1.segmentapis.com}. */
  EU(URI.create("https://events.eu1.segmentapis.com"));

  private final URI endpoint;

  Region(URI endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Returns the API base URI of this region.
   *
   * @return the endpoint
   */
  public URI endpoint() {
    return endpoint;
  }
}
