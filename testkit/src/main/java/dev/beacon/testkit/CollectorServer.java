package dev.beacon.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.beacon.wire.SegmentApi;
import dev.beacon.wire.SegmentRequests;
import dev.beacon.wire.StreamedBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server speaking Segment's HTTP Tracking API on 127.0.0.1, for tests and as a local
 * dev server: point a client's endpoint at {@link #uri()} and it receives exactly what Segment
 * would. Thread-safe.
 *
 * <p>It accepts what Segment's tracking API accepts, with one deliberate difference: a message
 * Segment answers 200 for and then drops (no userId or anonymousId, a track without event, ...)
 * is refused here with 400, so that a test sees the problem. It serves
 * {@code POST /v1/batch}, its legacy alias {@code /v1/import} (same body; analytics-java posts
 * there by default) and the single-call endpoints {@code /v1/identify}, {@code /v1/track},
 * {@code /v1/page}, {@code /v1/screen}, {@code /v1/group} and {@code /v1/alias}; takes the write
 * key from HTTP Basic authentication or, when that header is absent, from the body's
 * {@code writeKey} (in every mode; 401 when wrong or missing); reads the body as JSON whatever its
 * {@code Content-Type} (analytics.js sends {@code text/plain}); accepts gzip bodies; enforces
 * Segment's limits (a message over 32 KB, a body over 500 KB or more than 2,500 messages are
 * refused as too large: 400 with a "too large" message, as Segment answers, or 413 with
 * {@link Builder#sizeLimitStatus(int)}); merges a batch's {@code context} and {@code integrations}
 * into each of its messages (the message's own values win); stores ids sent as numbers as strings;
 * and validates every message (type, userId or anonymousId, event, groupId, previousId, ISO-8601
 * {@code timestamp}, {@code originalTimestamp} and {@code sentAt}), answering 400 with the first
 * problem found. What Segment accepts but an SDK should not send, a message without
 * {@code context.library} or a time without a zone (read as UTC), is accepted with a warning,
 * counted in {@link CollectorStats#warnings()} and logged; {@link Builder#strict(boolean)} refuses
 * it instead. Accepted messages are recorded: it is a
 * {@link MessageRecorder}, so {@link BeaconAssertions} work on it as on a
 * {@link CapturingTransport}. It counts requests, bytes on the wire and uncompressed, and
 * duplicate messageIds ({@link #stats()}), and logs each request ({@link #requests()}).
 *
 * <p>Every request is treated as hostile, as a write key shipped in an app protects nothing: what
 * can be refused from the headers (path, method, a wrong key, a {@code Content-Length} over the
 * limit) is refused before the body is read; a body is read only up to the request limit; a
 * request must arrive within {@link Builder#requestReadTimeout(Duration)}; at most 1,024
 * connections wait for a worker; the request log is bounded in entries and bytes
 * ({@link Builder#requestLogBytes(long)}) and the messageIds kept for duplicate counting in number
 * ({@link Builder#maxTrackedMessageIds(int)}); a message must be within the 32 KB limit once the
 * batch {@code context} is merged in; and bodies follow Beacon's wire rules (UTF-8, no repeated
 * key, nothing after the JSON, numbers and numeric ids in range), each refusal a 400 naming the
 * problem.
 *
 * <p>Browsers: it also serves what Segment's analytics.js (analytics-next) uses, so that a web page
 * can send to it: the one-letter single-call paths {@code /v1/i}, {@code /v1/t}, {@code /v1/p},
 * {@code /v1/s}, {@code /v1/g} and {@code /v1/a}; {@code /v1/b} and {@code /b}, where its batching
 * dispatcher posts; CORS, preflights included, for any origin or those given to
 * {@link Builder#allowOrigins(String...)}; and {@code GET /v1/projects/{writeKey}/settings}, the
 * settings analytics.js fetches first from its {@code cdnURL}, pointing its Segment.io
 * integration at this server. Preflights and settings fetches are counted in
 * {@link CollectorStats#requests()} and logged in {@link #requests()} (any path under
 * {@code /v1/projects/} with its key masked); only a refused one (403 for an origin not allowed,
 * 404 for another write key) counts as rejected.
 *
 * <p>It serves plain HTTP, or HTTPS with {@link Builder#tls(TestCertificates)} (a CA and server
 * certificate made for the run) or {@link Builder#tls(javax.net.ssl.SSLContext)}.
 *
 * <p>Failures can be scripted with {@link ServerFault}s, for the next requests
 * ({@link #failNext(int, ServerFault)}) or a random fraction of them
 * ({@link #failRandomly(double, ServerFault)}, from a seeded {@link Random}).
 *
 * <pre>{@code
 * try (CollectorServer server = CollectorServer.builder().writeKey("test-key").build().start()) {
 *   server.failNext(1, ServerFault.status(503));
 *   Analytics analytics = Analytics.builder("test-key").endpoint(server.uri()).build();
 *   ...
 *   BeaconAssertions.assertThat(server).hasTracked("Signed Up");
 * }
 * }</pre>
 *
 * <p>The JDK server delays each response by about 40 ms (Nagle's algorithm) unless the JVM runs
 * with {@code -Dsun.net.httpserver.nodelay=true}.
 */
public final class CollectorServer implements MessageRecorder, AutoCloseable {
  /** The write key a server accepts unless told otherwise. */
  public static final String DEFAULT_WRITE_KEY = "collector-write-key";
  /** Segment's limit on one serialized message: 32 KB. */
  public static final int MAX_MESSAGE_BYTES = SegmentApi.MAX_MESSAGE_BYTES;
  /** Segment's limit on one request body: 500 KB. */
  public static final int MAX_BATCH_BYTES = SegmentApi.MAX_BATCH_BYTES;
  /** Segment's limit on messages per batch: 2,500. */
  public static final int MAX_BATCH_MESSAGES = SegmentApi.MAX_BATCH_MESSAGES;
  /** Bodies larger than this on the wire are refused without reading them all. */
  private static final int MAX_WIRE_BYTES = SegmentApi.MAX_WIRE_BYTES;
  /** Connections waiting for a worker thread, at most; past it new connections are closed: 1,024. */
  static final int MAX_QUEUED_CONNECTIONS = 1024;
  /** The longest path, detail or header value the request log keeps of a request: 1,024 characters. */
  static final int MAX_LOGGED_CHARS = 1024;
  /** The default bound of the request log's memory: 32 MB. */
  public static final long DEFAULT_REQUEST_LOG_BYTES = 32L * 1024 * 1024;
  /** The default bound of the time a request's line, headers and body may take to arrive: 30 seconds. */
  public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
  /** The default number of recent messageIds kept for duplicate detection: 100,000. */
  public static final int DEFAULT_MAX_TRACKED_MESSAGE_IDS = 100_000;
  private static final AtomicInteger SERVERS = new AtomicInteger();
  private static final Logger LOG = LoggerFactory.getLogger(CollectorServer.class);

  private final String host;
  private final int requestedPort;
  private final byte[] writeKey;
  private final int threads;
  private final boolean countOnly;
  private final boolean strict;
  private final int sizeLimitStatus;
  private final int maxMessageBytes;
  private final int maxBatchBytes;
  private final SegmentRequests.Limits limits;
  private final long seed;
  private final int requestLogSize;
  private final long requestLogBytes;
  private final int maxTrackedMessageIds;
  private final Duration requestReadTimeout;
  private final int maxRecordedMessages;
  private final BatchListener listener;
  private final SSLContext tlsContext;
  private final TestCertificates certificates;
  /** The origins CORS answers are given to; null for any well-formed origin. */
  private final Set<String> allowedOrigins;
  /** Whether bodies are first checked on the token stream ({@link StreamedBody}); off only in tests, to compare. */
  private final boolean streaming;
  /** Bodies the streaming check settled, for tests. */
  private final java.util.concurrent.atomic.AtomicLong streamed = new java.util.concurrent.atomic.AtomicLong();

  private final Object lock = new Object();
  private final ArrayDeque<ServerFault> scripted = new ArrayDeque<>();
  private final List<RandomRule> randomRules = new ArrayList<>();
  private final ArrayDeque<CapturedMessage> messages = new ArrayDeque<>();
  /** The most recent messageIds, oldest first, for duplicate detection: at most {@link #maxTrackedMessageIds}. */
  private final Set<String> seenIds = Collections.newSetFromMap(new LinkedHashMap<>());
  private final Map<String, Long> warningCounts = new TreeMap<>();
  private final Set<String> loggedWarningKinds = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<ReceivedRequest> requestLog = new ArrayDeque<>();
  private final ArrayDeque<Long> requestLogEntryBytes = new ArrayDeque<>();
  private long requestLogBytesHeld;
  private long distinctMessageIds;
  private final Map<Integer, Long> statusCounts = new HashMap<>();
  private Random random;
  private long requests;
  private long acceptedRequests;
  private long messageCount;
  private long duplicates;
  private long bytesReceived;
  private long bytesUncompressed;
  private long faultsInjected;
  private long rejected;

  private HttpServer server;
  private ThreadPoolExecutor executor;
  private volatile ReadDeadline readDeadline;
  private volatile URI uri;
  private boolean closed;

  private CollectorServer(Builder b) {
    this.host = b.host;
    this.requestedPort = b.port;
    this.writeKey = b.writeKey == null ? null : b.writeKey.getBytes(StandardCharsets.UTF_8);
    this.threads = b.threads;
    this.countOnly = b.countOnly;
    this.strict = b.strict;
    this.sizeLimitStatus = b.sizeLimitStatus;
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxBatchBytes = b.maxBatchBytes;
    this.limits = new SegmentRequests.Limits(maxMessageBytes, maxBatchBytes, b.maxBatchMessages);
    this.seed = b.seed;
    this.requestLogSize = b.requestLogSize;
    this.requestLogBytes = b.requestLogBytes;
    this.maxTrackedMessageIds = b.maxTrackedMessageIds;
    this.requestReadTimeout = b.requestReadTimeout;
    this.maxRecordedMessages = b.maxRecordedMessages;
    this.listener = b.listener;
    this.tlsContext = b.tlsContext;
    this.certificates = b.certificates;
    this.allowedOrigins = b.allowedOrigins;
    this.streaming = b.streaming;
    this.random = new Random(seed);
  }

  /**
   * Starts configuring a server.
   *
   * @return a builder with every default: 127.0.0.1, an ephemeral port, write key
   *     {@value #DEFAULT_WRITE_KEY}, Segment's limits, 4 threads
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts the server.
   *
   * @return this server, for chaining
   * @throws UncheckedIOException when the address cannot be bound
   * @throws IllegalStateException when started twice or after {@link #close()}
   */
  public CollectorServer start() {
    synchronized (lock) {
      if (server != null || closed) {
        throw new IllegalStateException("a CollectorServer starts once");
      }
      int id = SERVERS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      // A bounded queue: past it the JDK server closes new connections instead of holding them.
      ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(MAX_QUEUED_CONNECTIONS), r -> {
            Thread t = new Thread(r, "collector-" + id + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
      ReadDeadline deadline = new ReadDeadline(pool, requestReadTimeout, "collector-" + id + "-read-deadline");
      try {
        HttpServer s;
        if (tlsContext != null) {
          HttpsServer https = HttpsServer.create(new InetSocketAddress(host, requestedPort), 128);
          https.setHttpsConfigurator(new HttpsConfigurator(tlsContext));
          s = https;
        } else {
          s = HttpServer.create(new InetSocketAddress(host, requestedPort), 128);
        }
        s.createContext("/", this::handle);
        s.setExecutor(deadline);
        s.start();
        this.server = s;
        this.executor = pool;
        this.readDeadline = deadline;
        InetSocketAddress bound = s.getAddress();
        String h = bound.getAddress().getHostAddress();
        this.uri = URI.create((tlsContext != null ? "https://" : "http://") + (h.contains(":") ? "[" + h + "]" : h)
            + ":" + bound.getPort());
      } catch (IOException e) {
        deadline.close();
        pool.shutdownNow();
        throw new UncheckedIOException("cannot bind " + host + ":" + requestedPort, e);
      }
      return this;
    }
  }

  /**
   * Returns the base URI to give a client as its endpoint.
   *
   * @return e.g. {@code http://127.0.0.1:54321}, or {@code https://...} in HTTPS mode
   * @throws IllegalStateException before {@link #start()}
   */
  public URI uri() {
    URI u = uri;
    if (u == null) {
      throw new IllegalStateException("the server is not started");
    }
    return u;
  }

  /**
   * Returns the certificates this server presents, when it was built with
   * {@link Builder#tls(TestCertificates)}: hand {@link TestCertificates#clientContext()} or
   * {@link TestCertificates#trustStore()} to the client under test.
   *
   * @return the certificates, or null for a plaintext server or one given its own {@link SSLContext}
   */
  public TestCertificates certificates() {
    return certificates;
  }

  /**
   * Returns the bound port.
   *
   * @return the port
   */
  public int port() {
    return uri().getPort();
  }

  /**
   * Returns the write key this server accepts.
   *
   * @return the key, or null when any key is accepted
   */
  public String writeKey() {
    return writeKey == null ? null : new String(writeKey, StandardCharsets.UTF_8);
  }

  /**
   * Makes the next {@code n} requests misbehave as {@code fault} says (before any random fault).
   *
   * @param n how many requests
   * @param fault what they get
   * @return this server
   */
  public CollectorServer failNext(int n, ServerFault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      for (int i = 0; i < n; i++) {
        scripted.addLast(fault);
      }
    }
    return this;
  }

  /**
   * Makes the next {@code n} requests answer this status.
   *
   * @param n how many requests
   * @param status e.g. 503
   * @return this server
   */
  public CollectorServer failNext(int n, int status) {
    return failNext(n, ServerFault.status(status));
  }

  /**
   * Makes a random fraction of requests misbehave, drawn from a {@link Random} seeded with
   * {@link Builder#seed(long)}. Several rules may be added; each request rolls them in order and
   * takes the first that fires.
   *
   * @param fraction from 0 to 1
   * @param fault what the chosen requests get
   * @return this server
   */
  public CollectorServer failRandomly(double fraction, ServerFault fault) {
    Objects.requireNonNull(fault, "fault");
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be between 0 and 1 but was " + fraction);
    }
    synchronized (lock) {
      randomRules.add(new RandomRule(fraction, fault));
    }
    return this;
  }

  /**
   * Forgets every scripted and random fault.
   *
   * @return this server
   */
  public CollectorServer clearFaults() {
    synchronized (lock) {
      scripted.clear();
      randomRules.clear();
      random = new Random(seed);
    }
    return this;
  }

  /**
   * Returns the counters.
   *
   * @return a snapshot
   */
  public CollectorStats stats() {
    synchronized (lock) {
      return new CollectorStats(requests, acceptedRequests, messageCount, distinctMessageIds, duplicates,
          bytesReceived, bytesUncompressed, faultsInjected, rejected, statusCounts, warningCounts);
    }
  }

  /**
   * Returns the most recent requests (up to {@link Builder#requestLogSize(int)}), oldest first.
   *
   * @return an unmodifiable copy
   */
  public List<ReceivedRequest> requests() {
    synchronized (lock) {
      return List.copyOf(requestLog);
    }
  }

  /**
   * Returns how many accepted messages had each messageId, for ids seen more than once.
   *
   * @return messageId to count, only for duplicates
   */
  public Map<String, Integer> duplicateMessageIds() {
    Map<String, Integer> counts = new HashMap<>();
    for (CapturedMessage m : messages()) {
      counts.merge(m.messageId(), 1, Integer::sum);
    }
    counts.values().removeIf(c -> c < 2);
    return counts;
  }

  @Override
  public List<CapturedMessage> messages() {
    synchronized (lock) {
      return List.copyOf(messages);
    }
  }

  @Override
  public List<CapturedMessage> awaitMessages(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (messageCount < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected at least " + count + " message(s) within " + timeout
              + " but " + messageCount + " arrived");
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for messages", e);
        }
      }
      return List.copyOf(messages);
    }
  }

  /** Forgets every message, counter, logged request and fault; the server keeps running. */
  @Override
  public void reset() {
    synchronized (lock) {
      scripted.clear();
      randomRules.clear();
      random = new Random(seed);
      messages.clear();
      seenIds.clear();
      distinctMessageIds = 0;
      requestLog.clear();
      requestLogEntryBytes.clear();
      requestLogBytesHeld = 0;
      statusCounts.clear();
      warningCounts.clear();
      requests = 0;
      acceptedRequests = 0;
      messageCount = 0;
      duplicates = 0;
      bytesReceived = 0;
      bytesUncompressed = 0;
      faultsInjected = 0;
      rejected = 0;
    }
  }

  /** Stops the server at once (requests being delayed are interrupted) and its threads. Idempotent. */
  @Override
  public void close() {
    HttpServer s;
    ThreadPoolExecutor pool;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      pool = executor;
      lock.notifyAll();
    }
    if (s != null) {
      s.stop(0);
    }
    ReadDeadline deadline = readDeadline;
    if (deadline != null) {
      deadline.close();
    }
    if (pool != null) {
      pool.shutdownNow();
      try {
        pool.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many bodies the streaming check settled (the rest went through the map path). */
  long streamedBodies() {
    return streamed.get();
  }

  @Override
  public String toString() {
    URI u = uri;
    return "CollectorServer{" + (u == null ? "not started" : u.toString()) + (countOnly ? ", counting" : "")
        + (strict ? ", strict" : "") + "}";
  }

  // ---- request handling -------------------------------------------------------------------

  private void handle(HttpExchange ex) {
    try {
      handleRequest(ex);
    } catch (Throwable t) {
      // The client sees a dropped connection; never let one request hurt the server.
      ex.close();
    }
  }

  /** What is known about the request being handled. */
  private static final class Req {
    final Instant at = Instant.now();
    final long nanos = System.nanoTime();
    String path;
    String encoding;
    String contentType;
    String userAgent;
    int retryCount;
    long wireBytes;
    long uncompressedBytes;
    boolean authorized;
    List<String> ids = List.of();
    Map<String, Long> warnings = Map.of();
    List<String> warningTexts = List.of();
  }

  private void handleRequest(HttpExchange ex) throws IOException {
    Req r = new Req();
    r.path = ex.getRequestURI().getPath();
    Headers h = ex.getRequestHeaders();
    r.encoding = h.getFirst("Content-Encoding");
    r.contentType = h.getFirst("Content-Type");
    r.userAgent = h.getFirst("User-Agent");
    r.retryCount = parseRetryCount(h.getFirst("X-Retry-Count"));
    String method = ex.getRequestMethod();
    // A browser page on another origin (analytics.js) reads our answers only when they carry CORS
    // headers; every answer to an allowed origin gets them, errors included, so the page sees why.
    String origin = h.getFirst("Origin");
    boolean originAllowed = origin != null && originAllowed(origin);
    if (originAllowed) {
      Headers out = ex.getResponseHeaders();
      out.set("Access-Control-Allow-Origin", origin);
      // analytics.js sends cookies when its dispatcher's `credentials` is "include": echoing the
      // origin (never "*") and allowing credentials serves that setting too.
      out.set("Access-Control-Allow-Credentials", "true");
      // analytics.js reads Retry-After on a 429; a cross-origin page sees it only when exposed.
      out.set("Access-Control-Expose-Headers", "Retry-After");
      out.add("Vary", "Origin");
    }
    // Everything that can be refused without the body is refused before it is read (path, method,
    // a wrong Authorization header, a Content-Length over the limit); the JDK server then drains
    // at most 64 KB of an unread body and closes the connection.
    if ("GET".equals(method) && ("/".equals(r.path) || "/health".equals(r.path))) {
      respond(ex, 200, "{\"status\":\"ok\",\"service\":\"beacon CollectorServer\"}", null);
      return;
    }
    SegmentApi.Route route = SegmentApi.route(r.path);
    r.path = route.path();
    String settingsKey = route.settingsKey();
    String singleType = route.type();
    boolean batch = route.kind() == SegmentApi.Kind.BATCH;
    if (route.kind() == SegmentApi.Kind.UNKNOWN) {
      finish(ex, r, 404, "unknown endpoint " + r.path);
      return;
    }
    if ("OPTIONS".equals(method)) {
      preflight(ex, r, origin, originAllowed, settingsKey != null ? "GET, OPTIONS" : "POST, OPTIONS");
      return;
    }
    if (settingsKey != null) {
      settings(ex, r, method, settingsKey);
      return;
    }
    if (!"POST".equals(method)) {
      finish(ex, r, 405, "use POST");
      return;
    }
    Auth early = authenticate(h.getFirst("Authorization"));
    if (early == Auth.WRONG) {
      finish(ex, r, 401, "the write key is not valid");
      return;
    }
    int readLimit = SegmentApi.wireCap(batch ? maxBatchBytes : maxMessageBytes);
    long declared = contentLength(h.getFirst("Content-Length"));
    if (declared > readLimit) {
      finish(ex, r, sizeLimitStatus, tooLargeMessage("request body is " + declared + " bytes (Content-Length);"
          + " the limit is " + (batch ? maxBatchBytes : maxMessageBytes)));
      return;
    }
    byte[] raw;
    try (InputStream in = ex.getRequestBody()) {
      raw = readAtMost(in, readLimit);
    }
    readDeadline.bodyRead();
    if (raw == null) {
      finish(ex, r, sizeLimitStatus, tooLargeMessage("request body is larger than " + readLimit + " bytes"));
      return;
    }
    r.wireBytes = raw.length;

    ServerFault fault = nextFault();
    if (fault != null) {
      if (!fault.delay().isZero()) {
        try {
          Thread.sleep(fault.delay().toMillis());
        } catch (InterruptedException e) {
          ex.close(); // the server is closing
          return;
        }
      }
      if (fault.dropsConnection() || fault.status() > 0) {
        r.ids = idsOf(raw, r.encoding, batch);
        if (fault.dropsConnection()) {
          record(r, 0, "dropped connection (" + fault + ")", true, false);
          // Closing an exchange before its response headers closes the connection: the client
          // gets no answer at all, as when a load balancer drops it.
          ex.close();
        } else {
          record(r, fault.status(), fault.toString(), true, false);
          respond(ex, fault.status(), fault.body(), fault.retryAfter());
        }
        return;
      }
      // a delay-only fault: carry on as usual, late
    }

    int wireLimit = batch ? maxBatchBytes : maxMessageBytes;
    byte[] body;
    if (r.encoding == null || r.encoding.equalsIgnoreCase("identity")) {
      body = raw;
    } else if (r.encoding.equalsIgnoreCase("gzip")) {
      try {
        body = SegmentApi.gunzip(raw, wireLimit);
      } catch (IOException e) {
        finish(ex, r, 400, "invalid gzip body: " + e.getMessage());
        return;
      }
      if (body == null) {
        r.uncompressedBytes = wireLimit + 1L;
        finish(ex, r, sizeLimitStatus, tooLargeMessage("request body is larger than " + wireLimit + " bytes"));
        return;
      }
    } else {
      finish(ex, r, 415, "unsupported Content-Encoding " + r.encoding);
      return;
    }
    r.uncompressedBytes = body.length;

    Auth auth = early;
    if (auth == Auth.WRONG) {
      finish(ex, r, 401, "the write key is not valid");
      return;
    }
    if (body.length > wireLimit) {
      finish(ex, r, sizeLimitStatus, tooLargeMessage("request body is " + body.length
          + " bytes; the limit is " + wireLimit));
      return;
    }
    if (countOnly) {
      // Without a header the key may be in the body, as analytics-java sends it: scan for it only
      // then, so that clients sending Basic auth keep the fast path.
      if (auth != Auth.OK && !bodyKeyMatches(SegmentRequests.scanWriteKey(body))) {
        finish(ex, r, 401, "missing or invalid Authorization header (or writeKey)");
        return;
      }
      r.authorized = true;
      accept(ex, r, List.of());
      return;
    }
    // The streaming path: a body it settles is one the map path below accepts, with the same
    // warnings; it builds no maps (a captured message builds its own only when asked for).
    StreamedBody streamed = !streaming ? null : batch ? StreamedBody.readBatch(body, limits, strict)
        : StreamedBody.readSingle(body, singleType, limits, strict);
    if (streamed != null) {
      this.streamed.incrementAndGet();
      if (auth == Auth.ABSENT && !bodyKeyMatches(streamed.writeKey())) {
        finish(ex, r, 401, "missing or invalid Authorization header (or writeKey)");
        return;
      }
      r.authorized = true;
      acceptStreamed(ex, r, streamed);
      return;
    }
    SegmentRequests.Parsed parsed;
    try {
      parsed = batch ? SegmentRequests.parseBatch(body) : SegmentRequests.parseSingle(body);
    } catch (SegmentRequests.Refusal e) {
      finish(ex, r, auth == Auth.OK ? 400 : 401, auth == Auth.OK ? e.getMessage()
          : "missing or invalid Authorization header");
      return;
    }
    if (auth == Auth.ABSENT && !bodyKeyMatches(parsed.writeKey)) {
      finish(ex, r, 401, "missing or invalid Authorization header (or writeKey)");
      return;
    }
    r.authorized = true;
    List<String> ids = new ArrayList<>(parsed.messages.size());
    for (Map<String, Object> m : parsed.messages) {
      Object id = m.get("messageId");
      ids.add(id == null ? null : id.toString());
    }
    r.ids = ids;
    RequestWarnings warnings = new RequestWarnings();
    try {
      SegmentRequests.check(parsed, singleType, limits, strict, warnings);
    } catch (SegmentRequests.Refusal e) {
      finish(ex, r, e.tooLarge ? sizeLimitStatus : 400, e.tooLarge ? tooLargeMessage(e.getMessage()) : e.getMessage());
      return;
    }
    List<CapturedMessage> accepted = new ArrayList<>(parsed.messages.size());
    for (Map<String, Object> m : parsed.messages) {
      accepted.add(new CapturedMessage(m));
    }
    warnings.into(r);
    accept(ex, r, accepted);
  }

  /** Accepts a body the streaming path settled: ids, warnings and captured messages without maps. */
  private void acceptStreamed(HttpExchange ex, Req r, StreamedBody streamed) {
    int n = streamed.size();
    List<String> ids = new ArrayList<>(n);
    List<CapturedMessage> accepted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(streamed.messageId(i));
      // Each keeps a copy of its own bytes, not the body's, and parses them only when asked.
      byte[] json = streamed.json(i);
      accepted.add(new CapturedMessage(streamed.type(i), streamed.messageId(i), streamed.event(i),
          () -> StreamedBody.message(json)));
    }
    r.ids = ids;
    RequestWarnings warnings = new RequestWarnings();
    streamed.warnings(warnings);
    warnings.into(r);
    accept(ex, r, accepted);
  }

  /** A request's warnings: counted by kind, the first three texts kept for the log. */
  private static final class RequestWarnings implements SegmentRequests.Warnings {
    private final Map<String, Long> kinds = new TreeMap<>();
    private final List<String> texts = new ArrayList<>();

    @Override
    public void add(String kind, String text) {
      kinds.merge(kind, 1L, Long::sum);
      if (texts.size() < 3) {
        texts.add(text);
      }
    }

    void into(Req r) {
      if (!kinds.isEmpty()) {
        r.warnings = kinds;
        r.warningTexts = texts;
      }
    }
  }

  /**
   * Answers a CORS preflight (what a browser asks before a cross-origin POST with an
   * {@code Authorization} header or a non-simple content type).
   */
  private void preflight(HttpExchange ex, Req r, String origin, boolean originAllowed, String methods) {
    if (origin != null && !originAllowed) {
      finish(ex, r, 403, "origin not allowed by this collector (CollectorServer.Builder.allowOrigins)");
      return;
    }
    Headers out = ex.getResponseHeaders();
    out.set("Allow", methods);
    if (origin != null) {
      out.set("Access-Control-Allow-Methods", methods);
      String asked = ex.getRequestHeaders().getFirst("Access-Control-Request-Headers");
      // Echo what the page asks for (analytics.js may add its own headers), when it is a plain
      // list of header names; otherwise the headers Segment's SDKs send.
      out.set("Access-Control-Allow-Headers", SegmentApi.corsAllowHeaders(asked));
      out.set("Access-Control-Max-Age", "600");
      // A page served from a public address asks before reaching a private one (Private Network Access).
      if ("true".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Access-Control-Request-Private-Network"))) {
        out.set("Access-Control-Allow-Private-Network", "true");
      }
    }
    record(r, 204, "CORS preflight", false, false);
    respond(ex, 204, null, null);
  }

  /**
   * Serves {@code GET /v1/projects/{writeKey}/settings}, which analytics.js fetches before anything
   * else (from its {@code cdnURL}): settings whose Segment.io integration points its
   * {@code apiHost} at this server, so that a page loading analytics.js with
   * {@code cdnURL: "http://127.0.0.1:PORT"} sends its calls here.
   */
  private void settings(HttpExchange ex, Req r, String method, String key) {
    if (!"GET".equals(method)) {
      finish(ex, r, 405, "use GET");
      return;
    }
    if (!bodyKeyMatches(key)) {
      finish(ex, r, 404, "no settings for this write key");
      return;
    }
    String host = SegmentApi.safeHost(ex.getRequestHeaders().getFirst("Host"));
    if (host == null) {
      host = uri().getAuthority();
    }
    String body = SegmentApi.settingsJson(key, host, tlsContext != null);
    record(r, 200, "settings for analytics.js", false, false);
    respond(ex, 200, body, null);
  }

  private boolean originAllowed(String origin) {
    if (!SegmentApi.wellFormedOrigin(origin)) {
      return false;
    }
    return allowedOrigins == null || allowedOrigins.contains(origin);
  }

  private void accept(HttpExchange ex, Req r, List<CapturedMessage> accepted) {
    String detail = "accepted";
    if (!r.warnings.isEmpty()) {
      long n = r.warnings.values().stream().mapToLong(Long::longValue).sum();
      detail = "accepted with " + n + " warning(s): " + String.join("; ", r.warningTexts)
          + (n > r.warningTexts.size() ? "; ..." : "");
      logWarnings(r, detail);
    }
    synchronized (lock) {
      r.warnings.forEach((kind, n) -> warningCounts.merge(kind, n, Long::sum));
      acceptedRequests++;
      messageCount += accepted.size();
      for (CapturedMessage m : accepted) {
        String id = m.messageId();
        if (id != null) {
          if (seenIds.remove(id)) {
            duplicates++;
          } else {
            distinctMessageIds++;
          }
          seenIds.add(id); // the most recent last, so that the oldest is forgotten first
          if (seenIds.size() > maxTrackedMessageIds) {
            Iterator<String> oldest = seenIds.iterator();
            oldest.next();
            oldest.remove();
          }
        }
        messages.addLast(m);
        if (messages.size() > maxRecordedMessages) {
          messages.removeFirst();
        }
      }
      record(r, 200, detail, false, false);
      lock.notifyAll();
    }
    if (listener != null && !accepted.isEmpty()) {
      try {
        listener.onBatch(r.path, Collections.unmodifiableList(accepted));
      } catch (RuntimeException ignored) {
        // a listener cannot hurt the server
      }
    }
    respond(ex, 200, "{\"success\":true}", null);
  }

  /**
   * Logs the first request with each kind of warning at WARN (what a developer needs to see once)
   * and the others at DEBUG, so that a client sending thousands of such messages does not flood the log.
   */
  private void logWarnings(Req r, String detail) {
    boolean first = false;
    for (String kind : r.warnings.keySet()) {
      first |= loggedWarningKinds.add(kind);
    }
    if (first) {
      LOG.warn("{} {}: {} (Segment accepts this; later requests with the same warning are logged at DEBUG{})",
          this, r.path, detail, strict ? "" : "; CollectorServer.Builder.strict(true) refuses them");
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("{} {}: {}", this, r.path, detail);
    }
  }

  private void finish(HttpExchange ex, Req r, int status, String detail) {
    record(r, status, detail, false, true);
    String body = SegmentApi.errorBody(detail);
    if (status == 401) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Segment\"");
    }
    respond(ex, status, body, null);
  }

  private void record(Req r, int status, String detail, boolean fault, boolean refused) {
    synchronized (lock) {
      requests++;
      bytesReceived += r.wireBytes;
      bytesUncompressed += r.uncompressedBytes > 0 ? r.uncompressedBytes : r.wireBytes;
      statusCounts.merge(status, 1L, Long::sum);
      if (fault) {
        faultsInjected++;
      }
      if (refused) {
        rejected++;
      }
      // What a client sent is cut to a bounded length before it is kept: the log is bounded in bytes too.
      String path = logged(r.path);
      String text = logged(detail);
      String encoding = logged(r.encoding);
      String contentType = logged(r.contentType);
      String userAgent = logged(r.userAgent);
      List<String> ids = r.ids.stream().filter(Objects::nonNull).toList();
      long bytes = 256 + 2L * (length(path) + length(text) + length(encoding) + length(contentType)
          + length(userAgent));
      for (String id : ids) {
        bytes += 48 + 2L * id.length();
      }
      requestLog.addLast(new ReceivedRequest(r.at, r.nanos, path, status, text, ids, r.retryCount, r.wireBytes,
          r.uncompressedBytes > 0 ? r.uncompressedBytes : r.wireBytes, encoding, contentType, userAgent,
          r.authorized));
      requestLogEntryBytes.addLast(bytes);
      requestLogBytesHeld += bytes;
      while (requestLog.size() > requestLogSize || (requestLogBytesHeld > requestLogBytes && requestLog.size() > 1)) {
        requestLog.removeFirst();
        requestLogBytesHeld -= requestLogEntryBytes.removeFirst();
      }
    }
  }

  /** A client's text as the request log keeps it: at most {@value #MAX_LOGGED_CHARS} characters. */
  private static String logged(String s) {
    return s == null || s.length() <= MAX_LOGGED_CHARS ? s : s.substring(0, MAX_LOGGED_CHARS) + "...";
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private String tooLargeMessage(String what) {
    return "Payload too large: " + what;
  }

  private static void respond(HttpExchange ex, int status, String body, String retryAfter) {
    try {
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      if (retryAfter != null) {
        ex.getResponseHeaders().set("Retry-After", retryAfter);
      }
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (IOException e) {
      // the client went away (it timed out, say): nothing to answer
    } finally {
      ex.close();
    }
  }

  private ServerFault nextFault() {
    synchronized (lock) {
      ServerFault f = scripted.pollFirst();
      if (f != null) {
        return f;
      }
      for (RandomRule rule : randomRules) {
        if (random.nextDouble() < rule.fraction) {
          return rule.fault;
        }
      }
      return null;
    }
  }

  private enum Auth { OK, WRONG, ABSENT }

  private Auth authenticate(String header) {
    if (header == null) {
      return Auth.ABSENT;
    }
    byte[] user = SegmentApi.basicAuthUser(header);
    if (user == null) {
      return Auth.WRONG;
    }
    return writeKey == null || MessageDigest.isEqual(user, writeKey) ? Auth.OK : Auth.WRONG;
  }

  private boolean bodyKeyMatches(Object key) {
    if (!(key instanceof String) || ((String) key).isEmpty()) {
      return false;
    }
    return writeKey == null || MessageDigest.isEqual(((String) key).getBytes(StandardCharsets.UTF_8), writeKey);
  }

  private List<String> idsOf(byte[] raw, String encoding, boolean batch) {
    if (countOnly) {
      return List.of();
    }
    try {
      byte[] body = "gzip".equalsIgnoreCase(encoding) ? SegmentApi.gunzip(raw, MAX_WIRE_BYTES) : raw;
      if (body == null) {
        return List.of();
      }
      SegmentRequests.Parsed p = batch ? SegmentRequests.parseBatch(body) : SegmentRequests.parseSingle(body);
      List<String> ids = new ArrayList<>();
      for (Map<String, Object> m : p.messages) {
        Object id = m.get("messageId");
        if (id != null) {
          ids.add(id.toString());
        }
      }
      return ids;
    } catch (IOException | SegmentRequests.Refusal e) {
      return List.of();
    }
  }

  private static int parseRetryCount(String v) {
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The declared body length, or -1 when absent or not a number (the read limit then applies). */
  private static long contentLength(String v) {
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reads the whole stream, or returns null as soon as it exceeds {@code limit}: the rest is not
   * read (the server closes the connection instead of draining it).
   */
  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) > 0) {
      if (out.size() + n > limit) {
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static final class RandomRule {
    final double fraction;
    final ServerFault fault;

    RandomRule(double fraction, ServerFault fault) {
      this.fraction = fraction;
      this.fault = fault;
    }
  }

  /** Configures a {@link CollectorServer}; every option has a default. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private String writeKey = DEFAULT_WRITE_KEY;
    private int threads = 4;
    private boolean countOnly;
    private boolean strict;
    private int sizeLimitStatus = 400;
    private int maxMessageBytes = MAX_MESSAGE_BYTES;
    private int maxBatchBytes = MAX_BATCH_BYTES;
    private int maxBatchMessages = MAX_BATCH_MESSAGES;
    private long seed = 1;
    private int requestLogSize = 10_000;
    private long requestLogBytes = DEFAULT_REQUEST_LOG_BYTES;
    private int maxTrackedMessageIds = DEFAULT_MAX_TRACKED_MESSAGE_IDS;
    private Duration requestReadTimeout = DEFAULT_REQUEST_READ_TIMEOUT;
    private int maxRecordedMessages = Integer.MAX_VALUE;
    private BatchListener listener;
    private SSLContext tlsContext;
    private TestCertificates certificates;
    private Set<String> allowedOrigins;
    private boolean streaming = true;

    private Builder() {}

    /** Turns the streaming check off (every body through the map path), for tests comparing the two. */
    Builder streaming(boolean streaming) {
      this.streaming = streaming;
      return this;
    }

    /**
     * Limits the browser pages that may call this server from another origin (CORS): only these
     * origins get CORS headers and a successful preflight; a preflight from any other origin is
     * answered 403. Default: any origin, echoed back with {@code Access-Control-Allow-Origin} and
     * {@code Access-Control-Allow-Credentials: true}, as a local dev server needs for a page
     * running analytics.js.
     *
     * @param origins origins as browsers send them, e.g. {@code http://localhost:3000} (scheme,
     *     host and port, no path)
     * @return this builder
     */
    public Builder allowOrigins(String... origins) {
      Objects.requireNonNull(origins, "origins");
      Set<String> set = new HashSet<>();
      for (String o : origins) {
        if (o == null || !SegmentApi.wellFormedOrigin(o)) {
          throw new IllegalArgumentException("allowOrigins takes origins like http://localhost:3000 "
              + "(scheme://host[:port], no path) but was " + o);
        }
        set.add(o);
      }
      this.allowedOrigins = Set.copyOf(set);
      return this;
    }

    /**
     * Sets the address to bind. Default {@code 127.0.0.1}.
     *
     * @param host an address or host name
     * @return this builder
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * Sets the port. Default 0: an ephemeral port, see {@link CollectorServer#uri()}.
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the write key requests must authenticate with. Default {@value CollectorServer#DEFAULT_WRITE_KEY}.
     *
     * @param writeKey a non-blank key
     * @return this builder
     */
    public Builder writeKey(String writeKey) {
      if (writeKey == null || writeKey.isBlank()) {
        throw new IllegalArgumentException("writeKey must not be blank; use acceptAnyWriteKey() to accept any");
      }
      this.writeKey = writeKey;
      return this;
    }

    /**
     * Accepts any non-empty write key (a local dev server shared by several sources).
     *
     * @return this builder
     */
    public Builder acceptAnyWriteKey() {
      this.writeKey = null;
      return this;
    }

    /**
     * Sets the size of the thread pool that handles requests. Default 4.
     *
     * @param threads 1 to 256
     * @return this builder
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be between 1 and 256 but was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Counts requests and bytes without parsing or validating bodies, for benchmarks: no
     * message is recorded and {@link CollectorStats#messages()} stays 0. Default false.
     *
     * @param countOnly whether to skip parsing
     * @return this builder
     */
    public Builder countOnly(boolean countOnly) {
      this.countOnly = countOnly;
      return this;
    }

    /**
     * Refuses (400) what Segment's API accepts but a well-behaved SDK should not send: a message
     * without {@code context.library}, a timestamp without a zone. Default false: such messages
     * are accepted, as Segment accepts them, and counted in {@link CollectorStats#warnings()}
     * and logged. Turn it on in an SDK's own tests to make them fail on it.
     *
     * @param strict whether to refuse instead of warn
     * @return this builder
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Sets the answer to a request over a size limit. Default 400 with a "Payload too large"
     * message, as Segment answers; 413 is the standard status.
     *
     * @param status 400 or 413
     * @return this builder
     */
    public Builder sizeLimitStatus(int status) {
      if (status != 400 && status != 413) {
        throw new IllegalArgumentException("sizeLimitStatus must be 400 or 413 but was " + status);
      }
      this.sizeLimitStatus = status;
      return this;
    }

    /**
     * Sets the largest serialized message accepted. Default {@value CollectorServer#MAX_MESSAGE_BYTES} (32 KB).
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = positive(bytes, "maxMessageBytes");
      return this;
    }

    /**
     * Sets the largest (uncompressed) request body accepted. Default {@value CollectorServer#MAX_BATCH_BYTES} (500 KB).
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder maxBatchBytes(int bytes) {
      this.maxBatchBytes = positive(bytes, "maxBatchBytes");
      return this;
    }

    /**
     * Sets the most messages accepted in one batch. Default {@value CollectorServer#MAX_BATCH_MESSAGES}.
     *
     * @param messages positive
     * @return this builder
     */
    public Builder maxBatchMessages(int messages) {
      this.maxBatchMessages = positive(messages, "maxBatchMessages");
      return this;
    }

    /**
     * Seeds the {@link Random} behind {@link CollectorServer#failRandomly}. Default 1.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets how many recent requests {@link CollectorServer#requests()} keeps. Default 10,000.
     *
     * @param size positive
     * @return this builder
     */
    public Builder requestLogSize(int size) {
      this.requestLogSize = positive(size, "requestLogSize");
      return this;
    }

    /**
     * Bounds the memory of the request log ({@link CollectorServer#requests()}), estimated from
     * what each entry holds: the oldest entries are forgotten past it (the newest is always kept).
     * A path, detail or header value is kept to its first 1,024 characters. Default
     * {@value CollectorServer#DEFAULT_REQUEST_LOG_BYTES} bytes (32 MB).
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder requestLogBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("requestLogBytes must be positive but was " + bytes);
      }
      this.requestLogBytes = bytes;
      return this;
    }

    /**
     * Bounds the time a request may take to arrive, from the moment a worker thread takes the
     * connection's first bytes until the body is read: its request line, headers and body. A
     * request still arriving past it has its connection closed (a client trickling bytes, a
     * body shorter than its Content-Length), so that slow clients cannot hold every worker.
     * The time spent answering (validation, a scripted {@link ServerFault#delay}) is not bounded.
     * Default 30 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestReadTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "requestReadTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestReadTimeout must be positive but was " + timeout);
      }
      this.requestReadTimeout = timeout;
      return this;
    }

    /**
     * Bounds the messageIds remembered for duplicate detection ({@link CollectorStats#duplicates()},
     * {@link CollectorStats#distinctMessageIds()}): a duplicate is seen when its id is among the
     * last {@code max} distinct ids accepted; an older id seen again counts as distinct.
     * Default {@value CollectorServer#DEFAULT_MAX_TRACKED_MESSAGE_IDS}.
     *
     * @param max positive
     * @return this builder
     */
    public Builder maxTrackedMessageIds(int max) {
      this.maxTrackedMessageIds = positive(max, "maxTrackedMessageIds");
      return this;
    }

    /**
     * Bounds the messages kept for {@link CollectorServer#messages()}; older ones are forgotten
     * (counters and duplicate detection still see them). Default: no bound.
     *
     * @param max positive
     * @return this builder
     */
    public Builder maxRecordedMessages(int max) {
      this.maxRecordedMessages = positive(max, "maxRecordedMessages");
      return this;
    }

    /**
     * Calls back on every accepted request, e.g. to print events.
     *
     * @param listener the callback, or null for none
     * @return this builder
     */
    public Builder listener(BatchListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Serves HTTPS instead of HTTP, presenting {@code certificates}' server certificate;
     * {@link CollectorServer#uri()} is then {@code https://}. Clients must trust the
     * certificates' CA ({@link TestCertificates#clientContext()}); one that does not, or that
     * reaches the server by a name the certificate does not cover, fails its TLS handshake.
     * Default: plaintext HTTP.
     *
     * @param certificates e.g. {@link TestCertificates#generate()}, made for this run
     * @return this builder
     */
    public Builder tls(TestCertificates certificates) {
      this.certificates = Objects.requireNonNull(certificates, "certificates");
      this.tlsContext = certificates.serverContext();
      return this;
    }

    /**
     * Serves HTTPS with a server {@link SSLContext} of your own (your key and certificate chain).
     * Default: plaintext HTTP.
     *
     * @param serverContext an initialized context with a key manager
     * @return this builder
     */
    public Builder tls(SSLContext serverContext) {
      this.tlsContext = Objects.requireNonNull(serverContext, "serverContext");
      this.certificates = null;
      return this;
    }

    /**
     * Creates the server; call {@link CollectorServer#start()} to bind it.
     *
     * @return a server, not started
     */
    public CollectorServer build() {
      return new CollectorServer(this);
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be positive but was " + v);
      }
      return v;
    }
  }
}
