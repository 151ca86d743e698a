package dev.beacon;

import dev.beacon.internal.Engine;
import dev.beacon.internal.EngineConfig;
import dev.beacon.internal.Library;
import dev.beacon.internal.PluginChain;
import dev.beacon.spi.Plugin;
import dev.beacon.spi.Spool;
import dev.beacon.spi.SpoolContext;
import dev.beacon.spi.SpoolLockedException;
import dev.beacon.spi.SpoolProvider;
import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Beacon client: validates, stamps and queues Segment messages, and delivers them in batches
 * on background threads. Thread-safe; build one per write key and share it.
 *
 * <pre>{@code
 * try (Analytics analytics = Analytics.builder(System.getenv("SEGMENT_WRITE_KEY")).build()) {
 *   analytics.track("user_123", "Order Completed", Map.of("orderId", "ORD-12345", "revenue", 99.99));
 * } // close() delivers what is pending, within shutdownTimeout
 * }</pre>
 *
 * <p>Calls never block the caller for long and never throw for operational reasons: a full queue
 * or a closed client makes a call return {@code false} and counts the drop in {@link #stats()}.
 * Invalid input throws {@link IllegalArgumentException} naming the field. Accepted messages are
 * delivered, or handed to the {@link ErrorHandler} with a reason and counted.
 */
public final class Analytics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Analytics.class);

  private final Engine engine;
  private final URI endpoint;
  private final boolean syncMode;
  private final Duration flushTimeout;
  private final Duration shutdownTimeout;
  private final Thread shutdownHook;
  /** The registered plugins; empty when none, so that a call without plugins pays one length check. */
  private final Plugin[] plugins;
  private final PluginChain pluginChain;

  static {
    // The engine's entry for already-serialized messages, for Beacon's own tools (not API).
    dev.beacon.internal.RawEntry.install(Analytics::enqueueRaw);
  }

  /**
   * {@link dev.beacon.internal.RawEntry#offer}: the bytes as they are, unless plugins must see the
   * message (or sync mode sends it at once): then it is decoded and enqueued as any message.
   */
  private boolean enqueueRaw(dev.beacon.internal.RawMessage message) {
    if (plugins.length != 0 || syncMode) {
      return enqueue(message.message());
    }
    return engine.offerRaw(message);
  }

  private Analytics(Builder b, EngineConfig cfg) {
    this.plugins = b.plugins.toArray(new Plugin[0]);
    this.pluginChain = new PluginChain(b.plugins);
    this.endpoint = b.endpoint;
    this.syncMode = b.syncMode;
    this.flushTimeout = b.flushTimeout;
    this.shutdownTimeout = b.shutdownTimeout;
    if (!b.shutdownHook) {
      this.shutdownHook = null;
      this.engine = new Engine(cfg, b.degradedAtStart);
      return;
    }
    // The hook is registered before anything starts: while the JVM is shutting down it refuses new
    // hooks, and then nothing is started (no threads, no transport) that nobody could close.
    EngineRef ref = new EngineRef();
    Thread hook;
    try {
      hook = cfg.threadFactory().newThread(() -> ref.close(shutdownTimeout));
      if (hook == null) {
        throw new IllegalStateException("threadFactory returned null for the shutdown hook's thread");
      }
      hook.setName("beacon-shutdown-hook");
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (RuntimeException | Error e) {
      throw new IllegalStateException("Beacon could not register its shutdown hook (" + e.getMessage()
          + "); the client was not started. Build it with shutdownHook(false) and close it yourself,"
          + " or build it before the JVM begins to shut down", e);
    }
    try {
      this.engine = new Engine(cfg, b.degradedAtStart);
    } catch (RuntimeException | Error e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs with nothing to close
      }
      throw e;
    }
    ref.engine = engine;
    this.shutdownHook = hook;
  }

  /** The shutdown hook's view of the engine, set once the engine started. */
  private static final class EngineRef {
    volatile Engine engine;

    void close(Duration timeout) {
      Engine e = engine;
      if (e != null) {
        e.close(timeout);
      }
    }
  }

  /**
   * Starts a client for one Segment source.
   *
   * @param writeKey the source's write key (a secret: read it from the environment)
   * @return a builder with every default set
   * @throws IllegalArgumentException when the key is null or blank
   */
  public static Builder builder(String writeKey) {
    if (writeKey == null || writeKey.isBlank()) {
      throw new IllegalArgumentException("writeKey must not be null or blank"
          + " (is the SEGMENT_WRITE_KEY environment variable set?)");
    }
    return new Builder(writeKey);
  }

  /**
   * Sends any message built with a builder: the full form with every field.
   *
   * @param message a built message
   * @return true when accepted; false when refused (queue full, client closed, dropped by a
   *     plugin), counted in stats
   * @throws DeliveryException in sync mode, when delivery finally failed
   * @throws dev.beacon.spi.MessageRejectedException when a plugin refused the message on purpose
   */
  public boolean enqueue(Message message) {
    Objects.requireNonNull(message, "message");
    if (plugins.length != 0) {
      message = pluginChain.apply(message);
      if (message == null) {
        return false; // counted as DropReason.FILTERED by the chain
      }
    }
    return syncMode ? engine.sendSync(message) : engine.offer(message);
  }

  /**
   * Tells Segment who the user is.
   *
   * @param userId your stable id for the user
   * @param traits the user's traits, e.g. email and plan; may be null
   * @return true when accepted
   * @throws IllegalArgumentException when userId is blank or a trait cannot be sent as JSON
   */
  public boolean identify(String userId, Map<String, ?> traits) {
    return enqueue(Identify.builder().userId(requireId(userId)).traits(traits).build());
  }

  /**
   * Records what the user did.
   *
   * @param userId your stable id for the user
   * @param event the event name, e.g. {@code "Order Completed"}
   * @param properties the event's properties; may be null
   * @return true when accepted
   * @throws IllegalArgumentException when userId or event is blank or a property cannot be sent
   */
  public boolean track(String userId, String event, Map<String, ?> properties) {
    return enqueue(Track.builder(event).userId(requireId(userId)).properties(properties).build());
  }

  /**
   * Records what the user did, without properties.
   *
   * @param userId your stable id for the user
   * @param event the event name
   * @return true when accepted
   */
  public boolean track(String userId, String event) {
    return track(userId, event, null);
  }

  /**
   * Records a web page view.
   *
   * @param userId your stable id for the user
   * @param name the page name; may be null
   * @param properties e.g. url, title, referrer; may be null
   * @return true when accepted
   */
  public boolean page(String userId, String name, Map<String, ?> properties) {
    return enqueue(Page.builder().userId(requireId(userId)).name(name).properties(properties).build());
  }

  /**
   * Records a mobile screen view.
   *
   * @param userId your stable id for the user
   * @param name the screen name; may be null
   * @param properties the screen's properties; may be null
   * @return true when accepted
   */
  public boolean screen(String userId, String name, Map<String, ?> properties) {
    return enqueue(Screen.builder().userId(requireId(userId)).name(name).properties(properties).build());
  }

  /**
   * Associates the user with a group (account, company, organisation).
   *
   * @param userId your stable id for the user
   * @param groupId the group's id
   * @param traits the group's traits; may be null
   * @return true when accepted
   */
  public boolean group(String userId, String groupId, Map<String, ?> traits) {
    return enqueue(Group.builder(groupId).userId(requireId(userId)).traits(traits).build());
  }

  /**
   * Merges a previous identity into a user.
   *
   * @param userId the user's id from now on
   * @param previousId the id the user had before (an anonymous id, say)
   * @return true when accepted
   */
  public boolean alias(String userId, String previousId) {
    return enqueue(Alias.builder(previousId).userId(requireId(userId)).build());
  }

  private static String requireId(String userId) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be null or blank"
          + " (use the message builder to send with an anonymousId only)");
    }
    return userId;
  }

  /**
   * Sends everything queued now and waits until every message accepted before this call is
   * delivered or reported failed, at most {@code flushTimeout} (default 60 s).
   *
   * @return whether everything was settled, and what is still pending
   */
  public FlushResult flush() {
    return flush(flushTimeout);
  }

  /**
   * Same as {@link #flush()} with an explicit bound. Returns at once when there is nothing to
   * wait for. Called on a Beacon thread (inside the error callback) it never waits.
   *
   * @param timeout the longest wait
   * @return whether everything was settled, and what is still pending
   */
  public FlushResult flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return engine.flush(timeout);
  }

  /**
   * Returns a snapshot of the counters: accepted, delivered, failed and dropped by reason, queued,
   * in flight, retries.
   *
   * @return the snapshot
   */
  public Stats stats() {
    return pluginChain.addTo(engine.stats());
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return true once closing began
   */
  public boolean isClosed() {
    return engine.isClosed();
  }

  /**
   * Stops accepting messages, delivers what is pending within {@code shutdownTimeout} (default
   * 10 s), reports anything left to the error callback as {@link FailureReason#SHUTDOWN}, closes
   * the transport and stops Beacon's threads. Safe to call more than once.
   */
  @Override
  public void close() {
    close(shutdownTimeout);
  }

  /**
   * Same as {@link #close()} with an explicit bound. Returns within {@code timeout} plus a grace
   * of 500 ms (to stop threads and report what is left), plus the time the error callback takes
   * for what it is given. Zero is allowed: nothing is waited for, and everything not yet sent is
   * reported as {@link FailureReason#SHUTDOWN} (or stays in the spool for the next start). A
   * timeout longer than about 73 years counts as 73 years.
   *
   * @param timeout the longest wait for pending messages
   * @return whether everything was delivered or reported in time
   */
  public FlushResult close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or will run; close is idempotent
      }
    }
    return engine.close(timeout);
  }

  @Override
  public String toString() {
    return "Analytics{endpoint=" + endpoint + ", writeKey=<redacted>, syncMode=" + syncMode
        + ", closed=" + engine.isClosed() + "}";
  }

  /**
   * Configures a client. Every option has a documented default; each is validated at
   * {@link #build()} with a message naming the option and the bad value.
   */
  public static final class Builder {
    /** Default {@link #maxQueueSize(int)}: 10,000, rounded up to a ring of 16,384. */
    public static final int DEFAULT_MAX_QUEUE_SIZE = 10_000;
    /** Default {@link #maxQueueBytes(long)}: 64 MiB of estimated serialized messages. */
    public static final long DEFAULT_MAX_QUEUE_BYTES = 64L * 1024 * 1024;
    /** Default {@link #flushAt(int)}: 250 messages. */
    public static final int DEFAULT_FLUSH_AT = 250;
    /** Default {@link #flushInterval(Duration)}: 5 seconds. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
    /** Segment's limit and the default of {@link #maxBatchMessages(int)}: 2,500. */
    public static final int MAX_BATCH_MESSAGES = 2500;
    /** Segment's batch limit, 500 KB: the largest {@link #maxBatchBytes(int)}. */
    public static final int MAX_BATCH_BYTES = 500 * 1024;
    /** Default {@link #maxBatchBytes(int)}: 500,000 bytes, leaving room under 500 KB. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 500_000;
    /** Default {@link #shutdownTimeout(Duration)}: 10 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #flushTimeout(Duration)}: 60 seconds. */
    public static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@link #maxSpoolBytes(long)}: 1 GiB of journal not yet delivered. */
    public static final long DEFAULT_MAX_SPOOL_BYTES = 1L << 30;
    private static final int MAX_RING = 1 << 24;

    private final String writeKey;
    private URI endpoint = Region.US.endpoint();
    private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private long maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES;
    private int flushAt = DEFAULT_FLUSH_AT;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private int maxBatchMessages = MAX_BATCH_MESSAGES;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private QueueFullPolicy queueFullPolicy = QueueFullPolicy.dropNewest();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Duration flushTimeout = DEFAULT_FLUSH_TIMEOUT;
    private ThreadFactory threadFactory;
    private Transport transport;
    private String transportName;
    private TransportProvider transportProvider;
    private ErrorHandler onError;
    private DeliveryObserver deliveryObserver;
    private DeliveryCallback onDelivered;
    private boolean debug;
    private boolean syncMode;
    private boolean send = true;
    private boolean shutdownHook = true;
    private Path spoolDirectory;
    private Spool spool;
    private long maxSpoolBytes = DEFAULT_MAX_SPOOL_BYTES;
    private SpoolDurability spoolDurability = SpoolDurability.PROCESS_CRASH;
    private boolean spoolRequired;
    private final List<Plugin> plugins = new ArrayList<>();

    private Builder(String writeKey) {
      this.writeKey = writeKey;
    }

    /**
     * Sets the API base URI. Default {@code https://api.segment.io}.
     *
     * @param endpoint e.g. {@code https://events.eu1.segmentapis.com} or a local collector
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Sets the endpoint to a Segment region.
     *
     * @param region the region your workspace lives in
     * @return this builder
     */
    public Builder region(Region region) {
      this.endpoint = Objects.requireNonNull(region, "region").endpoint();
      return this;
    }

    /**
     * Sets how many messages may wait in memory (analytics-python's {@code max_queue_size}).
     * Rounded up to a power of two for the ring. Default 10,000 (a ring of 16,384).
     *
     * @param maxQueueSize 1 to 16,777,216
     * @return this builder
     */
    public Builder maxQueueSize(int maxQueueSize) {
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /**
     * Bounds the estimated serialized bytes of pending messages (queued, batching, in flight or
     * being retried). Default 64 MiB.
     *
     * @param maxQueueBytes at least 32 KB
     * @return this builder
     */
    public Builder maxQueueBytes(long maxQueueBytes) {
      this.maxQueueBytes = maxQueueBytes;
      return this;
    }

    /**
     * Sets the batch size that triggers a send when a request slot is free. When all slots are
     * busy the batch keeps growing up to {@link #maxBatchMessages(int)}. Default 250.
     *
     * @param flushAt 1 to maxBatchMessages
     * @return this builder
     */
    public Builder flushAt(int flushAt) {
      this.flushAt = flushAt;
      return this;
    }

    /**
     * Sets the longest time a message waits in a partial batch. Default 5 s.
     *
     * @param flushInterval positive
     * @return this builder
     */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    /**
     * Sets the most messages per batch request. Default and maximum 2,500 (Segment's limit).
     *
     * @param maxBatchMessages 1 to 2,500
     * @return this builder
     */
    public Builder maxBatchMessages(int maxBatchMessages) {
      this.maxBatchMessages = maxBatchMessages;
      return this;
    }

    /**
     * Sets the largest uncompressed request body, envelope included. Default 500,000 bytes;
     * maximum 512,000 (Segment's 500 KB).
     *
     * @param maxBatchBytes from 32 KB plus the envelope to 500 KB
     * @return this builder
     */
    public Builder maxBatchBytes(int maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /**
     * Sets what calls do when the queue, or the spool ({@link #maxSpoolBytes}), is full. Default
     * {@link QueueFullPolicy#dropNewest()}.
     *
     * @param policy drop-newest or block with a timeout
     * @return this builder
     */
    public Builder queueFullPolicy(QueueFullPolicy policy) {
      this.queueFullPolicy = policy;
      return this;
    }

    /**
     * Sets the retry policy. Default {@link RetryPolicy#defaults()}: 500 ms base, 60 s cap, jitter,
     * 10 retries, 12 h deadline.
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    /**
     * Sets how long {@link Analytics#close()} (and the shutdown hook) waits for pending messages.
     * Default 10 s.
     *
     * @param shutdownTimeout zero or more
     * @return this builder
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /**
     * Sets how long {@link Analytics#flush()} and each sync-mode call wait. Default 60 s. With
     * {@link SpoolDurability#OS_CRASH} it also bounds a call's wait for the sync that covers its
     * message (see {@link Stats#spoolSyncTimeouts()}).
     *
     * @param flushTimeout positive
     * @return this builder
     */
    public Builder flushTimeout(Duration flushTimeout) {
      this.flushTimeout = flushTimeout;
      return this;
    }

    /**
     * Sets the factory of every thread Beacon starts (a consumer, a scheduler, the transport's;
     * with a spool, its reader, and with {@link SpoolDurability#OS_CRASH} the thread that runs the
     * syncs calls wait for). Default: daemon threads named {@code beacon-N-...}. The consumer's,
     * the scheduler's and the spool's threads are made by {@link #build()}: a factory that returns null or throws then fails the build with
     * an {@link IllegalStateException} (or its own exception), and nothing the build opened stays
     * open. If the factory fails later, while the client closes, close uses plain daemon threads so
     * that it still releases everything.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      return this;
    }

    /**
     * Uses this transport instead of one found with {@link ServiceLoader}. The client closes it.
     *
     * @param transport e.g. the testkit's {@code CapturingTransport}
     * @return this builder
     */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /**
     * Creates the transport with {@code provider} when {@link #build()} runs, instead of one found
     * with {@link ServiceLoader}: the provider gets the client's context (write key, endpoint,
     * debug, user agent and the {@link #threadFactory thread factory} every Beacon thread comes
     * from), which a transport built beforehand cannot see. For a transport with settings of its
     * own, such as a framework's auto-configuration builds. {@link #transport(Transport)} wins
     * over it. The client closes the transport.
     *
     * @param provider the provider, or null to find one on the class path
     * @return this builder
     */
    public Builder transportProvider(TransportProvider provider) {
      this.transportProvider = provider;
      return this;
    }

    /**
     * Chooses among several {@link TransportProvider}s on the class path by name.
     *
     * @param name e.g. {@code "http"}
     * @return this builder
     */
    public Builder transportName(String name) {
      this.transportName = name;
      return this;
    }

    /**
     * Sets the callback for messages that are finally not delivered (analytics-python's
     * {@code on_error}). Default: a rate-limited warning in the log.
     *
     * @param onError the callback
     * @return this builder
     */
    public Builder onError(ErrorHandler onError) {
      this.onError = onError;
      return this;
    }

    /**
     * Sets the callback for the messages of each delivered batch (analytics-java's
     * {@code Callback.success}); see {@link DeliveryCallback}. Default none, which costs nothing.
     *
     * @param onDelivered the callback, or null for none
     * @return this builder
     */
    public Builder onDelivered(DeliveryCallback onDelivered) {
      this.onDelivered = onDelivered;
      return this;
    }

    /**
     * Tells {@code observer} about every send attempt as it settles (batch size, duration,
     * outcome), for request metrics. Default none, which costs nothing.
     *
     * @param observer the observer, or null for none
     * @return this builder
     */
    public Builder deliveryObserver(DeliveryObserver observer) {
      this.deliveryObserver = observer;
      return this;
    }

    /**
     * Logs every batch, retry and failure at INFO (never the write key). Default false.
     *
     * @param debug whether to log debug information
     * @return this builder
     */
    public Builder debug(boolean debug) {
      this.debug = debug;
      return this;
    }

    /**
     * Makes every call deliver its message before it returns (one message per request, through
     * the same retry policy), and throw {@link DeliveryException} on a final failure, which is also
     * counted and passed to the error callback. When delivery is not confirmed within
     * {@code flushTimeout}, the call throws {@link DeliveryException} with reason
     * {@link FailureReason#DEADLINE_EXCEEDED} and status 0 while the message stays pending; its final
     * outcome is counted and reported like any other. A call made inside the error callback does
     * not wait. The spool is not used in sync mode. Default false.
     *
     * @param syncMode whether calls are synchronous
     * @return this builder
     */
    public Builder syncMode(boolean syncMode) {
      this.syncMode = syncMode;
      return this;
    }

    /**
     * With false, messages are validated, serialized, batched and counted as
     * {@link Stats#notSent()}, but never sent (for tests and dry runs). Default true.
     *
     * @param send whether to send
     * @return this builder
     */
    public Builder send(boolean send) {
      this.send = send;
      return this;
    }

    /**
     * Registers a JVM shutdown hook that closes the client (and so delivers pending messages
     * within {@code shutdownTimeout}) on exit. Default true. While the JVM is already shutting
     * down it refuses new hooks: {@link #build()} then closes what it opened and throws an
     * {@link IllegalStateException} (build with {@code shutdownHook(false)} and close the client
     * yourself to send from a shutdown hook of your own).
     *
     * @param shutdownHook whether to register the hook
     * @return this builder
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /**
     * Journals every accepted message in this directory before the call returns, so that it
     * survives a crash or restart of the process (at-least-once delivery; see docs/spool.md).
     * Needs {@code dev.beacon:beacon-persistence-chronicle} on the class path. Default: none
     * (memory only). The write key is never written there.
     *
     * @param directory a directory used by this client alone
     * @return this builder
     */
    public Builder spoolDirectory(Path directory) {
      this.spoolDirectory = directory;
      return this;
    }

    /**
     * Uses this spool instead of one opened by a {@link SpoolProvider} in
     * {@link #spoolDirectory(Path)}. The client closes it.
     *
     * @param spool an open spool
     * @return this builder
     */
    public Builder spool(Spool spool) {
      this.spool = spool;
      return this;
    }

    /**
     * Bounds the journal not yet delivered; when it is reached, the {@link #queueFullPolicy
     * queue-full policy} applies as for a full queue: {@code dropNewest} refuses at once,
     * {@code block(timeout)} waits for an acknowledgement to free room; a refused call returns
     * {@code false} and counts {@link DropReason#SPOOL_FULL}. The spool directory's disk use
     * follows this bound (see docs/spool.md, "Bounded disk"). Default 1 GiB.
     *
     * @param maxSpoolBytes at least 1 MiB
     * @return this builder
     */
    public Builder maxSpoolBytes(long maxSpoolBytes) {
      this.maxSpoolBytes = maxSpoolBytes;
      return this;
    }

    /**
     * Makes {@link #build()} throw when the spool in {@link #spoolDirectory(Path)} cannot be opened
     * (for example the JVM lacks the flags Chronicle needs, the directory is not writable or the
     * disk is full), instead of logging one ERROR and running in memory only with {@link
     * Stats#spoolDegraded()} true. For a service that must not start without its crash safety.
     * Default {@code false}: analytics never stops the host application. A spool locked by another
     * client throws either way.
     *
     * @param spoolRequired true to refuse to start without the spool
     * @return this builder
     */
    public Builder spoolRequired(boolean spoolRequired) {
      this.spoolRequired = spoolRequired;
      return this;
    }

    /**
     * Sets when a call returns with a spool. Default {@link SpoolDurability#PROCESS_CRASH}.
     *
     * @param durability the guarantee
     * @return this builder
     */
    public Builder spoolDurability(SpoolDurability durability) {
      this.spoolDurability = durability;
      return this;
    }

    /**
     * Adds a plugin that sees every message on the caller's thread before it is queued, and may
     * change it, drop it or check it. Plugins run in the order they were added; each sees what the
     * one before returned. See {@link Plugin} and docs/plugins.md. Default: none.
     *
     * @param plugin the plugin
     * @return this builder
     * @throws IllegalArgumentException when plugin is null
     */
    public Builder plugin(Plugin plugin) {
      if (plugin == null) {
        throw new IllegalArgumentException("plugin must not be null");
      }
      plugins.add(plugin);
      return this;
    }

    /**
     * Validates the options, finds the transport and starts the client.
     *
     * @return a running client
     * @throws IllegalArgumentException naming the first invalid option and its value
     * @throws IllegalStateException when sending is on and no transport is available, when
     *     {@code spoolRequired(true)} and the spool cannot be opened, when the thread factory returns
     *     null, or when the shutdown hook cannot be registered (the JVM is shutting down)
     */
    public Analytics build() {
      if (endpoint == null) {
        throw new IllegalArgumentException("endpoint must not be null");
      }
      if (!endpoint.isAbsolute() || endpoint.getHost() == null) {
        throw new IllegalArgumentException("endpoint must be an absolute URI with a host but was " + endpoint);
      }
      if (maxQueueSize < 1 || maxQueueSize > MAX_RING) {
        throw new IllegalArgumentException("maxQueueSize must be between 1 and " + MAX_RING + " but was " + maxQueueSize);
      }
      if (maxQueueBytes < Message.MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException("maxQueueBytes must be at least " + Message.MAX_MESSAGE_BYTES
            + " but was " + maxQueueBytes);
      }
      if (maxBatchMessages < 1 || maxBatchMessages > MAX_BATCH_MESSAGES) {
        throw new IllegalArgumentException("maxBatchMessages must be between 1 and " + MAX_BATCH_MESSAGES
            + " but was " + maxBatchMessages);
      }
      if (flushAt < 1 || flushAt > maxBatchMessages) {
        throw new IllegalArgumentException("flushAt must be between 1 and maxBatchMessages (" + maxBatchMessages
            + ") but was " + flushAt);
      }
      int minBatchBytes = Message.MAX_MESSAGE_BYTES + dev.beacon.spi.Batch.ENVELOPE_BYTES;
      if (maxBatchBytes < minBatchBytes || maxBatchBytes > MAX_BATCH_BYTES) {
        throw new IllegalArgumentException("maxBatchBytes must be between " + minBatchBytes + " and "
            + MAX_BATCH_BYTES + " but was " + maxBatchBytes);
      }
      requirePositive(flushInterval, "flushInterval");
      requirePositive(flushTimeout, "flushTimeout");
      if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout must be zero or positive but was " + shutdownTimeout);
      }
      if (queueFullPolicy == null) {
        throw new IllegalArgumentException("queueFullPolicy must not be null");
      }
      if (retryPolicy == null) {
        throw new IllegalArgumentException("retryPolicy must not be null");
      }
      ThreadFactory threads = threadFactory != null ? threadFactory : r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
      };
      if (maxSpoolBytes < (1 << 20)) {
        throw new IllegalArgumentException("maxSpoolBytes must be at least 1048576 but was " + maxSpoolBytes);
      }
      if (spoolDurability == null) {
        throw new IllegalArgumentException("spoolDurability must not be null");
      }
      Function<ThreadFactory, Transport> transportFactory = send ? resolveTransport() : null;
      degradedAtStart = false; // a flag of this build() only: a builder may be built again
      Spool openSpool = spool != null ? spool : spoolDirectory != null ? openSpool(threads) : null;
      Analytics analytics;
      try {
        EngineConfig cfg = new EngineConfig(ringSize(maxQueueSize), maxQueueBytes, flushAt, maxBatchMessages,
            maxBatchBytes, flushInterval, queueFullPolicy, retryPolicy, onError, threads, transportFactory,
            send, debug, syncMode, flushTimeout, shutdownTimeout, openSpool, spoolDurability, deliveryObserver,
            onDelivered);
        analytics = new Analytics(this, cfg);
      } catch (RuntimeException | Error e) {
        // Release the spool's directory lock, so that a corrected build() in this JVM can open it.
        if (openSpool != null && spool == null) {
          try {
            openSpool.close();
          } catch (RuntimeException closeFailure) {
            e.addSuppressed(closeFailure);
          }
        }
        throw e;
      }
      if (debug) {
        LOG.info("Beacon {} started: endpoint={}, ring={}, flushAt={}, flushInterval={}, syncMode={}, send={}",
            Library.VERSION, endpoint, ringSize(maxQueueSize), flushAt, flushInterval, syncMode, send);
      }
      return analytics;
    }

    private static void requirePositive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
    }

    static int ringSize(int maxQueueSize) {
      return maxQueueSize <= 1 ? 1 : Integer.highestOneBit(maxQueueSize - 1) << 1;
    }

    private Spool openSpool(ThreadFactory threads) {
      List<SpoolProvider> found = new ArrayList<>();
      for (SpoolProvider p : ServiceLoader.load(SpoolProvider.class, Analytics.class.getClassLoader())) {
        found.add(p);
      }
      if (found.isEmpty()) {
        throw new IllegalStateException("spoolDirectory is set but no Beacon spool is on the class path: add the"
            + " dependency dev.beacon:beacon-persistence-chronicle");
      }
      found.sort(Comparator.comparing(SpoolProvider::name));
      try {
        return found.get(0).open(new SpoolContext(spoolDirectory, maxSpoolBytes, spoolDurability, threads));
      } catch (SpoolLockedException e) {
        throw new IllegalStateException(e.getMessage(), e);
      } catch (IOException | RuntimeException e) {
        if (spoolRequired) {
          throw new IllegalStateException("spoolRequired is true and the spool in " + spoolDirectory
              + " cannot be opened: " + e.getMessage(), e);
        }
        // Never stop the host application for this: run in memory, loudly.
        LOG.error("Beacon could not open its spool in {} ({}); running in memory only, without crash"
            + " protection. See stats().spoolDegraded().", spoolDirectory, e.toString());
        degradedAtStart = true;
        return null;
      }
    }

    private boolean degradedAtStart;

    private Function<ThreadFactory, Transport> resolveTransport() {
      if (transport != null) {
        return new dev.beacon.internal.GivenTransport(transport);
      }
      if (transportProvider != null) {
        return context(transportProvider);
      }
      List<TransportProvider> found = new ArrayList<>();
      for (TransportProvider p : ServiceLoader.load(TransportProvider.class, Analytics.class.getClassLoader())) {
        found.add(p);
      }
      if (found.isEmpty()) {
        throw new IllegalStateException("No Beacon transport found on the class path: add the dependency"
            + " dev.beacon:beacon-transport-http, or set one with Analytics.builder(key).transport(...),"
            + " or use send(false)");
      }
      TransportProvider chosen;
      if (transportName != null) {
        chosen = found.stream().filter(p -> transportName.equals(p.name())).findFirst().orElseThrow(() ->
            new IllegalArgumentException("transportName '" + transportName + "' matches none of the transports found: "
                + found.stream().map(TransportProvider::name).collect(Collectors.joining(", "))));
      } else {
        found.sort(Comparator.comparingInt(TransportProvider::priority).reversed()
            .thenComparing(TransportProvider::name));
        chosen = found.get(0);
        if (found.size() > 1) {
          LOG.warn("Beacon found several transports ({}); using '{}'. Choose one with transportName(...).",
              found.stream().map(TransportProvider::name).collect(Collectors.joining(", ")), chosen.name());
        }
      }
      return context(chosen);
    }

    private Function<ThreadFactory, Transport> context(TransportProvider provider) {
      URI uri = endpoint;
      String key = writeKey;
      boolean dbg = debug;
      return threads -> provider.create(new TransportContext(key, uri, dbg, threads,
          "beacon-java/" + Library.VERSION));
    }

    @Override
    public String toString() {
      return "Analytics.Builder{endpoint=" + endpoint + ", writeKey=<redacted>}";
    }
  }
}
