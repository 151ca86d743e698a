package dev.beacon.spi;

import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * What a {@link TransportProvider} needs to build a transport for one client. The write key is a
 * secret: {@link #toString()} never shows it, and transports must never log it.
 */
public final class TransportContext {
  private final String writeKey;
  private final URI endpoint;
  private final boolean debug;
  private final ThreadFactory threadFactory;
  private final String userAgent;

  /**
   * Creates a context.
   *
   * @param writeKey the source's write key
   * @param endpoint the API base URI, e.g. {@code https://api.segment.io}
   * @param debug whether the client was built with {@code debug(true)}
   * @param threadFactory the client's thread factory, for any thread the transport starts
   * @param userAgent the {@code User-Agent} to send, e.g. {@code beacon-java/0.1.0}
   */
  public TransportContext(String writeKey, URI endpoint, boolean debug, ThreadFactory threadFactory,
      String userAgent) {
    this.writeKey = Objects.requireNonNull(writeKey, "writeKey");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.debug = debug;
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
    this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
  }

  /**
   * Returns the write key. Never log it.
   *
   * @return the secret write key
   */
  public String writeKey() {
    return writeKey;
  }

  /**
   * Returns the API base URI.
   *
   * @return e.g. {@code https://api.segment.io}
   */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Returns whether debug logging was asked for.
   *
   * @return true with {@code debug(true)}
   */
  public boolean debug() {
    return debug;
  }

  /**
   * Returns the client's thread factory.
   *
   * @return the factory
   */
  public ThreadFactory threadFactory() {
    return threadFactory;
  }

  /**
   * Returns the user agent.
   *
   * @return e.g. {@code beacon-java/0.1.0}
   */
  public String userAgent() {
    return userAgent;
  }

  @Override
  public String toString() {
    return "TransportContext{endpoint=" + endpoint + ", debug=" + debug + ", writeKey=<redacted>}";
  }
}
