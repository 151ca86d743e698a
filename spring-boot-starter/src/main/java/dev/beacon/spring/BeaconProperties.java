package dev.beacon.spring;

import dev.beacon.Region;
import dev.beacon.SpoolDurability;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Beacon's settings under {@code beacon.*}, bound once at startup and immutable. Every option of
 * {@code Analytics.Builder} and {@code HttpTransport.Builder} has a property; the defaults are
 * Beacon's own (see docs/configuration.md). {@link #toString()} never shows the write key or the
 * proxy password.
 *
 * @param enabled Whether to create the Beacon client at all; false creates no Beacon bean.
 * @param writeKey The Segment source's write key, a secret: set it from the environment
 *     (BEACON_WRITE_KEY, or ${SEGMENT_WRITE_KEY} in application.yml) or a secret store.
 *     Required unless the context defines its own dev.beacon.spi.Transport bean or send is false.
 * @param endpoint The API base URI, e.g. https://events.eu1.segmentapis.com or a local
 *     collector; default https://api.segment.io. Not together with region.
 * @param region The Segment region (us or eu) whose endpoint to use; not together
 *     with endpoint.
 * @param clientName The value of the client tag on Beacon's metrics.
 * @param debug Whether to log every batch, retry and failure at INFO (never the write key).
 * @param send Whether to send at all; false validates, batches and counts messages as not sent.
 * @param syncMode Whether every call delivers its message before it returns.
 * @param flushTimeout How long flush() and each sync-mode call wait.
 * @param shutdownTimeout How long closing the client, when the application context closes, waits
 *     for pending messages before reporting them as failed.
 * @param queue The in-memory queue.
 * @param batch Batching.
 * @param retry The retry policy.
 * @param http The HTTP transport.
 * @param spool The disk spool.
 * @param trackingPlan A Segment tracking plan checked at every call (needs
 *     {@code dev.beacon:beacon-tracking-plan} on the class path).
 */
@ConfigurationProperties(prefix = "beacon")
public record BeaconProperties(
    @DefaultValue("true") boolean enabled,
    String writeKey,
    URI endpoint,
    Region region,
    @DefaultValue("default") String clientName,
    boolean debug,
    @DefaultValue("true") boolean send,
    boolean syncMode,
    @DefaultValue("60s") Duration flushTimeout,
    @DefaultValue("10s") Duration shutdownTimeout,
    @DefaultValue Queue queue,
    @DefaultValue Batch batch,
    @DefaultValue Retry retry,
    @DefaultValue Http http,
    @DefaultValue Spool spool,
    @DefaultValue TrackingPlan trackingPlan) {

  /**
   * The in-memory queue between the callers and the batching thread.
   *
   * @param maxSize How many messages may wait in memory; rounded up to a power of two for the ring.
   * @param maxBytes Bound on the estimated serialized size of pending messages (at least 32KB).
   * @param blockTimeout Unset (the default) refuses a call at once when the queue is full; a
   *     duration makes the call wait up to that long for room, then refuse.
   */
  public record Queue(
      @DefaultValue("10000") int maxSize,
      @DefaultValue("64MB") DataSize maxBytes,
      Duration blockTimeout) {}

  /**
   * Batching.
   *
   * @param flushAt The batch size that triggers a send.
   * @param flushInterval The longest time a message waits in a partial batch.
   * @param maxMessages The most messages per request (Segment's limit is 2500).
   * @param maxBytes The largest uncompressed request body (Segment's limit is 500KB).
   */
  public record Batch(
      @DefaultValue("250") int flushAt,
      @DefaultValue("5s") Duration flushInterval,
      @DefaultValue("2500") int maxMessages,
      @DefaultValue("500000B") DataSize maxBytes) {}

  /**
   * How failed attempts are retried: exponential backoff with jitter, a retry budget and a total
   * deadline. A server's {@code Retry-After} replaces the backoff of that attempt.
   *
   * @param baseDelay The first backoff.
   * @param maxDelay The longest backoff.
   * @param maxRetries Retries after the first attempt; 0 never retries.
   * @param totalDeadline The longest time a batch may spend being retried.
   * @param jitter Whether backoffs are randomized (turn off only for reproducible tests).
   */
  public record Retry(
      @DefaultValue("500ms") Duration baseDelay,
      @DefaultValue("60s") Duration maxDelay,
      @DefaultValue("10") int maxRetries,
      @DefaultValue("12h") Duration totalDeadline,
      @DefaultValue("true") boolean jitter) {}

  /**
   * The HTTP transport (Apache HttpClient 5). Ignored when the context defines its own
   * {@code dev.beacon.spi.Transport} bean.
   *
   * @param connectTimeout The longest wait for a TCP and TLS connection.
   * @param responseTimeout The longest silence while waiting for a response (retryable).
   * @param maxConcurrentRequests Batches in flight at once (1 to 64); 1 keeps each user's events in order.
   * @param maxRequestsPerSecond A cap on requests started per second; 0 for none.
   * @param gzip Whether request bodies are gzipped.
   * @param gzipLevel The gzip level, 1 (fastest) to 9 (smallest).
   * @param gzipCompressor The compressor that gzips request bodies: jdk (the JDK's Deflater) or
   *     libdeflate (needs dev.beacon:beacon-compression-libdeflate; 1.6-2x as fast, falls back to jdk
   *     with one warning where its native library cannot load); unset for the highest-priority one
   *     on the class path (libdeflate when its artifact is there, else jdk).
   * @param allowInsecureHttp Whether a plaintext http:// endpoint on a host other than
   *     loopback is allowed.
   * @param userAgent The User-Agent header; unset for beacon-java/ and Beacon's version.
   * @param proxy An HTTP proxy.
   */
  public record Http(
      @DefaultValue("10s") Duration connectTimeout,
      @DefaultValue("15s") Duration responseTimeout,
      @DefaultValue("1") int maxConcurrentRequests,
      @DefaultValue("0") double maxRequestsPerSecond,
      @DefaultValue("true") boolean gzip,
      @DefaultValue("1") int gzipLevel,
      String gzipCompressor,
      boolean allowInsecureHttp,
      String userAgent,
      @DefaultValue Proxy proxy) {}

  /**
   * An HTTP proxy; HTTPS goes through a {@code CONNECT} tunnel.
   *
   * @param host The proxy host; unset for no proxy.
   * @param port The proxy port.
   * @param username The proxy user, when the proxy asks for authentication.
   * @param password The proxy password (never logged).
   */
  public record Proxy(String host, @DefaultValue("3128") int port, String username, String password) {
    @Override
    public String toString() {
      return "Proxy{host=" + host + ", port=" + port + ", username=" + username
          + ", password=" + (password == null ? null : "<redacted>") + "}";
    }
  }

  /**
   * The disk spool: accepted messages survive a crash or restart (needs
   * {@code dev.beacon:beacon-persistence-chronicle} on the class path).
   *
   * @param directory A directory used by this client alone; unset keeps messages in memory only.
   * @param maxBytes Bound on the journal not yet delivered; calls are refused beyond it.
   * @param durability When a call returns: process-crash, os-crash or buffered.
   */
  public record Spool(
      Path directory,
      @DefaultValue("1GB") DataSize maxBytes,
      @DefaultValue("process-crash") SpoolDurability durability) {}

  /**
   * A Segment tracking plan (JSON), enforced at the call by a {@code TrackingPlanPlugin} that runs
   * among the context's {@code dev.beacon.spi.Plugin} beans at order
   * {@value BeaconAutoConfiguration#TRACKING_PLAN_ORDER} (see docs/tracking-plans.md).
   *
   * @param location Where the plan is, as a Spring resource location (classpath:tracking-plan.json,
   *     file:/etc/app/plan.json); unset for no plan. At most 16MB.
   * @param mode What a message that breaks the plan does: warn (sent, counted and logged), drop
   *     (refused, the call returns false) or strict (the call throws; for tests).
   * @param allowUnplanned Whether a track event the plan does not list is sent without counting it
   *     as a violation; when false it is treated like any violation, by the mode.
   */
  public record TrackingPlan(
      String location,
      @DefaultValue("warn") PlanMode mode,
      boolean allowUnplanned) {}

  /** What a message that breaks the tracking plan does; see {@link TrackingPlan}. */
  public enum PlanMode {
    /** Sent, counted and logged at a bounded rate. */
    WARN,
    /** Refused: the call returns false, counted as filtered. */
    DROP,
    /** The call throws, naming the event, the property and the rule. */
    STRICT
  }

  @Override
  public String toString() {
    return "BeaconProperties{enabled=" + enabled + ", writeKey=" + (writeKey == null ? null : "<redacted>")
        + ", endpoint=" + endpoint + ", region=" + region + ", clientName=" + clientName + ", debug=" + debug
        + ", send=" + send + ", syncMode=" + syncMode + ", flushTimeout=" + flushTimeout
        + ", shutdownTimeout=" + shutdownTimeout + ", queue=" + queue + ", batch=" + batch + ", retry=" + retry
        + ", http=" + http + ", spool=" + spool + ", trackingPlan=" + trackingPlan + "}";
  }
}
