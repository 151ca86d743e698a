package dev.beacon.transport.http;

import dev.beacon.Region;
import dev.beacon.internal.Library;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.function.Callback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOReactorStatus;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches to Segment's HTTP Tracking API: {@code POST {endpoint}/v1/batch} with HTTP Basic
 * authentication (the write key as user name, an empty password), over Apache HttpClient 5's
 * async client. It makes exactly one attempt per {@link #send}: the engine in core owns retries,
 * backoff, {@code Retry-After} waits, 413 splitting and error reporting.
 *
 * <p>Found by {@link java.util.ServiceLoader} through {@link HttpTransportProvider}: with this
 * artifact on the class path, {@code Analytics.builder(key).build()} sends over HTTP with the
 * defaults below. To change a setting, build the transport yourself and pass it to the client,
 * repeating the write key and endpoint (the transport does not see the client's endpoint):
 *
 * <pre>{@code
 * HttpTransport http = HttpTransport.builder(writeKey)
 *     .region(Region.EU)
 *     .proxy("proxy.internal", 3128)
 *     .build();
 * Analytics analytics = Analytics.builder(writeKey).region(Region.EU).transport(http).build();
 * }</pre>
 *
 * <p>Defaults: connect timeout {@value #DEFAULT_CONNECT_TIMEOUT_SECONDS} s, response timeout
 * {@value #DEFAULT_RESPONSE_TIMEOUT_SECONDS} s, {@value #DEFAULT_MAX_CONCURRENT_REQUESTS} request
 * in flight (so each user's events arrive in order), no request-rate cap, gzip on at level
 * {@value #DEFAULT_GZIP_LEVEL} (Segment batches shrink about 8.7 times at level 1 against 10 times
 * at level 6, measured end to end, and level 1 costs well under half the CPU: on a small machine
 * serialization and compression are the ceiling, not the network), TLS required except to loopback, redirects
 * never followed, no proxy.
 *
 * <p>Bodies are gzipped by the JDK's {@link Deflater}, or by a faster compressor found with
 * {@link java.util.ServiceLoader} when its optional module is on the class path
 * ({@code dev.beacon:beacon-compression-libdeflate}); see {@link Builder#gzipCompressor(String)}.
 *
 * <p>Responses are classified as the contract says: 2xx delivered; network errors, timeouts, 408,
 * 410, 429, 460 and 5xx other than 501, 505 and 511 retryable, with the server's
 * {@code Retry-After} (delta-seconds or HTTP-date; malformed, zero or past values give none); 413,
 * and 400 whose body says the payload is too large, too large; 401 and 403 (a refused write key)
 * and every other status permanent. A TLS handshake that fails on the server's certificate (not
 * trusted, expired, or not covering the host) is permanent too, with a message naming the host:
 * retrying cannot fix it. To trust a private CA or a TLS-inspecting proxy, see
 * {@link Builder#sslContext(SSLContext)}.
 *
 * <p>The write key never appears in this transport's logs, exception messages or
 * {@link #toString()}, in clear or in base64. HttpClient's own {@code org.apache.hc.client5.http.headers}
 * and {@code .wire} loggers print every header at DEBUG: never enable them in production.
 */
public final class HttpTransport implements Transport {
  /** Default {@link Builder#connectTimeout(Duration)} in seconds. */
  public static final long DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
  /** Default {@link Builder#responseTimeout(Duration)} in seconds. */
  public static final long DEFAULT_RESPONSE_TIMEOUT_SECONDS = 15;
  /** Default {@link Builder#maxConcurrentRequests(int)}: one, which keeps every user's events in order. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 1;
  /** Default {@link Builder#gzipLevel(int)}: {@link Deflater#BEST_SPEED}. */
  public static final int DEFAULT_GZIP_LEVEL = Deflater.BEST_SPEED;
  /** The most requests in flight {@link Builder#maxConcurrentRequests(int)} accepts. */
  public static final int MAX_CONCURRENT_REQUESTS = 64;

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
  private static final AtomicInteger DEFAULT_THREADS = new AtomicInteger();
  private static final ContentType JSON = ContentType.create("application/json", (java.nio.charset.Charset) null);

  private final URI batchUri;
  private final HttpHost target;
  private final String path;
  private final String authorization;
  private final Redactor redactor;
  private final String userAgent;
  private final boolean gzip;
  private final int gzipLevel;
  /** The compressor pool when gzip is on, else null. */
  private final GzipBodies gzipBodies;
  private final boolean debug;
  private final int maxConcurrentRequests;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final String proxy;
  private final boolean customTls;
  private final RequestConfig perRequestConfig;
  private final CloseableHttpAsyncClient client;
  private final boolean ownsClient;
  private final RequestRateLimiter rateLimiter;
  private final ScheduledExecutorService rateScheduler;
  /** Attempts not completed yet, with their HTTP exchange once it started, so close() can end them. */
  private final Map<CompletableFuture<SendResult>, Future<?>> pending = new ConcurrentHashMap<>();
  private static final Future<?> NOT_STARTED = CompletableFuture.completedFuture(null);
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpTransport(Builder b, URI batchUri, GzipBodies gzipBodies) {
    this.batchUri = batchUri;
    this.target = new HttpHost(batchUri.getScheme(), hostOf(batchUri), port(batchUri));
    this.path = batchUri.getRawPath();
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((b.writeKey + ":").getBytes(StandardCharsets.UTF_8));
    this.redactor = new Redactor(b.writeKey);
    this.userAgent = b.userAgent;
    this.gzip = b.gzip;
    this.gzipLevel = b.gzipLevel;
    this.gzipBodies = gzipBodies;
    this.debug = b.debug;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.connectTimeout = b.connectTimeout;
    this.responseTimeout = b.responseTimeout;
    this.proxy = b.proxyHost == null ? null : b.proxyHost + ":" + b.proxyPort;
    this.customTls = b.sslContext != null;
    ThreadFactory threads = b.threadFactory != null ? b.threadFactory : r -> {
      Thread t = new Thread(r, "beacon-http-" + DEFAULT_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    RequestConfig requestConfig = RequestConfig.custom()
        .setResponseTimeout(Timeout.of(responseTimeout))
        .setConnectionRequestTimeout(Timeout.of(connectTimeout))
        .setRedirectsEnabled(false)
        .setContentCompressionEnabled(false)
        .setExpectContinueEnabled(false)
        .build();
    if (b.httpClient != null) {
      // The user's client keeps its own settings, except that Beacon's requests never follow
      // redirects (an https -> http hop would leak the write key) and use our response timeout.
      this.client = b.httpClient;
      this.ownsClient = false;
      this.perRequestConfig = requestConfig;
      if (client.getStatus() == IOReactorStatus.INACTIVE) {
        client.start();
      }
    } else {
      this.client = newClient(b, threads, requestConfig, this::onReactorError);
      this.ownsClient = true;
      this.perRequestConfig = null;
      client.start();
    }
    if (b.maxRequestsPerSecond > 0) {
      this.rateLimiter = new RequestRateLimiter(b.maxRequestsPerSecond);
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, threads);
      s.setRemoveOnCancelPolicy(true);
      this.rateScheduler = s;
    } else {
      this.rateLimiter = null;
      this.rateScheduler = null;
    }
  }

  /**
   * HttpClient's IO reactor reports its own errors here instead of logging them at ERROR. Closing
   * races the IO thread's last selector pass (a {@code ClosedSelectorException}): harmless then.
   */
  private void onReactorError(Exception ex) {
    if (closed.get() && (ex instanceof ClosedSelectorException || ex instanceof CancelledKeyException)) {
      return;
    }
    LOG.warn("Beacon's HTTP transport: IO error outside any request: {}", redactor.redact(ex.toString()));
  }

  private static CloseableHttpAsyncClient newClient(Builder b, ThreadFactory threads, RequestConfig requestConfig,
      Callback<Exception> onReactorError) {
    PoolingAsyncClientConnectionManagerBuilder poolBuilder = PoolingAsyncClientConnectionManagerBuilder.create();
    if (b.sslContext != null) {
      poolBuilder.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(b.sslContext).buildAsync());
    }
    PoolingAsyncClientConnectionManager pool = poolBuilder
        .setMaxConnTotal(b.maxConcurrentRequests)
        .setMaxConnPerRoute(b.maxConcurrentRequests)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(b.connectTimeout))
            .setSocketTimeout(Timeout.of(b.responseTimeout))
            // Re-resolve Segment's load-balanced hosts now and then.
            .setTimeToLive(TimeValue.ofMinutes(5))
            .build())
        .build();
    HttpAsyncClientBuilder hb = HttpAsyncClients.custom()
        .setConnectionManager(pool)
        .setIOReactorConfig(IOReactorConfig.custom()
            .setIoThreadCount(1)
            .setTcpNoDelay(true)
            .setSoTimeout(Timeout.of(b.responseTimeout))
            // The reactor checks timeouts once per select interval (1 s by default): keep it well
            // under the shortest timeout so that a 300 ms timeout means 300 ms, not 1.3 s.
            .setSelectInterval(TimeValue.ofMilliseconds(selectIntervalMillis(b)))
            .build())
        .setThreadFactory(threads)
        .setIoReactorExceptionCallback(onReactorError)
        .setDefaultRequestConfig(requestConfig)
        .setUserAgent(b.userAgent)
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableConnectionState();
    // Only from httpclient5 5.6: older versions (Spring Boot 3.5 and 4.0 manage 5.5) have no
    // response decompression in the async client to turn off.
    HttpClientFeatures.disableContentCompression(hb);
    if (b.proxyHost != null) {
      hb.setProxy(new HttpHost(b.proxyHost, b.proxyPort));
      if (b.proxyUser != null) {
        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
        credentials.setCredentials(new AuthScope(b.proxyHost, b.proxyPort),
            new UsernamePasswordCredentials(b.proxyUser, b.proxyPassword.clone()));
        hb.setDefaultCredentialsProvider(credentials);
      }
    }
    return hb.build();
  }

  static long selectIntervalMillis(Builder b) {
    long shortest = Math.min(b.connectTimeout.toMillis(), b.responseTimeout.toMillis());
    return Math.max(10, Math.min(1000, shortest / 10));
  }

  private static String hostOf(URI uri) {
    String h = uri.getHost();
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equals(uri.getScheme()) ? 443 : 80;
  }

  /**
   * Starts a transport for one write key, with every default set: endpoint
   * {@link Region#US}, TLS, gzip, one request in flight.
   *
   * @param writeKey the source's write key (a secret)
   * @return a builder
   * @throws IllegalArgumentException when the key is null or blank
   */
  public static Builder builder(String writeKey) {
    if (writeKey == null || writeKey.isBlank()) {
      throw new IllegalArgumentException("writeKey must not be null or blank");
    }
    return new Builder(writeKey);
  }

  /**
   * Starts a transport from a client's context: write key, endpoint, user agent, debug flag and
   * thread factory are taken from it. This is what {@link HttpTransportProvider} does.
   *
   * @param context the client's transport context
   * @return a builder with the context's settings
   */
  public static Builder builder(TransportContext context) {
    Objects.requireNonNull(context, "context");
    return builder(context.writeKey())
        .endpoint(context.endpoint())
        .userAgent(context.userAgent())
        .debug(context.debug())
        .threadFactory(context.threadFactory());
  }

  /**
   * Returns the URI batches are posted to.
   *
   * @return {@code {endpoint}/v1/batch}
   */
  public URI batchUri() {
    return batchUri;
  }

  /**
   * Makes one attempt: stamps {@code sentAt}, gzips the body on the calling thread with the
   * {@linkplain #gzipCompressor() chosen compressor} (about 1–2 ms for a full 500 KB batch at
   * level 1) and hands the request to the IO thread. Never blocks on the network or on the rate
   * cap, and never throws: every outcome, closing included, completes the future.
   *
   * @param batch the batch; its {@link Batch#retryCount()} becomes {@code X-Retry-Count}
   * @return the attempt's classified result
   */
  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    CompletableFuture<SendResult> result = new CompletableFuture<>();
    if (closed.get()) {
      result.complete(closedResult());
      return result;
    }
    pending.put(result, NOT_STARTED);
    result.whenComplete((r, t) -> pending.remove(result));
    long wait = rateLimiter == null ? 0 : rateLimiter.reserve();
    if (wait <= 0) {
      execute(batch, result);
    } else {
      // Never sleep on the engine's thread: the request goes out when its slot comes.
      try {
        rateScheduler.schedule(() -> execute(batch, result), wait, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        result.complete(closedResult());
      }
    }
    return result;
  }

  private void execute(Batch batch, CompletableFuture<SendResult> result) {
    if (closed.get()) {
      result.complete(closedResult());
      return;
    }
    if (result.isDone()) {
      return; // the engine gave up on this attempt while it waited for its rate slot
    }
    long start = System.nanoTime();
    byte[] body;
    try {
      body = encode(batch, Instant.now());
    } catch (IOException | RuntimeException | Error e) {
      // An Error too (memory for a body, a compressor's own): on the rate-cap timer nobody else
      // would complete this attempt, and on the engine's thread it belongs to this attempt only.
      result.completeExceptionally(e);
      return;
    }
    BasicHttpRequest request = new BasicHttpRequest(Method.POST, target, path);
    request.setHeader(HttpHeaders.AUTHORIZATION, authorization);
    request.setHeader(HttpHeaders.USER_AGENT, userAgent);
    if (gzip) {
      request.setHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    if (batch.retryCount() > 0) {
      request.setHeader("X-Retry-Count", Integer.toString(batch.retryCount()));
    }
    HttpClientContext context = HttpClientContext.create();
    if (perRequestConfig != null) {
      context.setRequestConfig(perRequestConfig);
    }
    Future<BoundedResponseConsumer.Response> exchange;
    try {
      exchange = client.execute(new BasicRequestProducer(request, AsyncEntityProducers.create(body, JSON)),
          new BoundedResponseConsumer(), context, new FutureCallback<>() {
            @Override
            public void completed(BoundedResponseConsumer.Response response) {
              SendResult r = ResponseClassifier.classify(response.status, response.retryAfter,
                  redactor.redact(response.location), redactor.redact(response.body), Instant.now());
              log(batch, body.length, start, r);
              result.complete(r);
            }

            @Override
            public void failed(Exception ex) {
              String tls = TlsFailures.certificateProblem(ex, target.toHostString());
              // A certificate the client does not trust, or one for another host, stays so until
              // someone changes the trust or the certificate: retrying it for the whole retry
              // deadline (12 h by default) would only hide the problem.
              SendResult r = tls != null ? SendResult.permanent(0, redactor.redact(tls), ex)
                  : SendResult.retryable(0, null, redactor.redact(describe(ex)), ex);
              log(batch, body.length, start, r);
              result.complete(r);
            }

            @Override
            public void cancelled() {
              result.complete(SendResult.retryable(0, null, "request cancelled", null));
            }
          });
    } catch (RuntimeException e) {
      result.complete(closed.get() ? closedResult()
          : SendResult.retryable(0, null, redactor.redact(describe(e)), e));
      return;
    }
    // The engine completes the future itself when an attempt outlives attemptTimeout(), and
    // close() completes it too: stop the exchange then, so it does not hold a connection.
    pending.replace(result, NOT_STARTED, exchange);
    result.whenComplete((r, t) -> {
      if (t != null || !exchange.isDone()) {
        exchange.cancel(true);
      }
    });
  }

  private byte[] encode(Batch batch, Instant sentAt) throws IOException {
    if (!gzip) {
      return batch.toJson(sentAt);
    }
    return gzipBodies.encode(batch, sentAt);
  }

  /**
   * Returns the name of the compressor that gzips this transport's bodies: {@code "jdk"} (the
   * JDK's {@link Deflater}), or a provider's such as {@code "libdeflate"} when its module is on
   * the class path and it started (see {@link Builder#gzipCompressor(String)}).
   *
   * @return the compressor's name, or null when gzip is off
   */
  public String gzipCompressor() {
    return gzip ? gzipBodies.name() : null;
  }

  private String describe(Exception ex) {
    if (ex instanceof SocketTimeoutException || ex instanceof TimeoutException) {
      return "no response within the response timeout (" + responseTimeout + ")";
    }
    if (ex instanceof ConnectException) {
      return "cannot connect to " + target.toHostString() + ": " + ex.getMessage();
    }
    return ex.toString();
  }

  private void log(Batch batch, int wireBytes, long startNanos, SendResult r) {
    if (!debug) {
      return;
    }
    LOG.info("POST {} ({} message(s), {} bytes{}{}): {} in {} ms", batchUri, batch.size(), batch.sizeInBytes(),
        gzip ? ", " + wireBytes + " gzipped" : "", batch.retryCount() > 0 ? ", retry " + batch.retryCount() : "",
        r, (System.nanoTime() - startNanos) / 1_000_000);
  }

  /**
   * The answer once closed. Permanent: a closed transport never sends again, so a retryable answer
   * only made the engine back off and retry for up to its whole retry budget (issue 9).
   */
  private static SendResult closedResult() {
    return SendResult.permanent(0, "transport closed", null);
  }

  @Override
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /**
   * Returns how long the engine waits for one attempt: the connect timeout, twice the response
   * timeout (which bounds each silence, not the whole exchange), the longest rate-cap wait, and
   * five seconds of slack.
   *
   * @return the attempt guard
   */
  @Override
  public Duration attemptTimeout() {
    Duration d = connectTimeout.plus(responseTimeout.multipliedBy(2)).plusSeconds(5);
    if (rateLimiter != null) {
      d = d.plusNanos(rateLimiter.intervalNanos() * (maxConcurrentRequests + 1L));
    }
    return d;
  }

  /**
   * Closes the connection pool and stops the IO thread (and the rate-cap thread, if any). A
   * client supplied with {@link Builder#httpClient} is left open: it belongs to the caller.
   * Attempts still in flight, and every later send, complete as permanent failures
   * ({@code "transport closed"}): there is nothing to retry through. Safe to call more than once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (rateScheduler != null) {
      rateScheduler.shutdownNow();
    }
    // End the attempts still running first, so that the graceful close below has nothing to wait for.
    boolean cancelled = false;
    for (Map.Entry<CompletableFuture<SendResult>, Future<?>> e : new ArrayList<>(pending.entrySet())) {
      e.getKey().complete(closedResult());
      e.getValue().cancel(true);
      cancelled = true;
    }
    if (ownsClient) {
      // GRACEFUL when nothing is in flight (the usual case: the engine settled every delivery);
      // IMMEDIATE otherwise, since a graceful close would wait for the cancelled exchange's
      // connection (its ClosedSelectorException is silenced by our IO-reactor callback).
      client.close(cancelled ? CloseMode.IMMEDIATE : CloseMode.GRACEFUL);
      try {
        client.awaitShutdown(TimeValue.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (rateScheduler != null) {
      try {
        rateScheduler.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (CompletableFuture<SendResult> f : new ArrayList<>(pending.keySet())) {
      f.complete(closedResult());
    }
    if (gzipBodies != null) {
      gzipBodies.close();
    }
  }

  @Override
  public String toString() {
    return "HttpTransport{uri=" + batchUri + ", gzip=" + gzip
        + (gzip ? "(level " + gzipLevel + ", " + gzipBodies.name() + ")" : "")
        + ", maxConcurrentRequests=" + maxConcurrentRequests + ", connectTimeout=" + connectTimeout
        + ", responseTimeout=" + responseTimeout + (proxy == null ? "" : ", proxy=" + proxy)
        + (rateLimiter == null ? "" : ", maxRequestsPerSecond=" + 1e9 / rateLimiter.intervalNanos())
        + (ownsClient ? "" : ", httpClient=supplied") + (customTls ? ", sslContext=supplied" : "")
        + ", writeKey=<redacted>}";
  }

  /**
   * Configures an {@link HttpTransport}. Every option has a documented default and is validated
   * at {@link #build()} with a message naming the option and the bad value.
   */
  public static final class Builder {
    private final String writeKey;
    private URI endpoint = Region.US.endpoint();
    private String userAgent = "beacon-java/" + Library.VERSION;
    private ThreadFactory threadFactory;
    private boolean debug;
    private Duration connectTimeout = Duration.ofSeconds(DEFAULT_CONNECT_TIMEOUT_SECONDS);
    private Duration responseTimeout = Duration.ofSeconds(DEFAULT_RESPONSE_TIMEOUT_SECONDS);
    private String proxyHost;
    private int proxyPort;
    private String proxyUser;
    private char[] proxyPassword;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private double maxRequestsPerSecond;
    private boolean gzip = true;
    private int gzipLevel = DEFAULT_GZIP_LEVEL;
    private String gzipCompressor;
    private GzipCompressorProvider gzipProvider;
    private Iterable<GzipCompressorProvider> gzipProviders = GzipBodies.serviceLoader();
    private boolean allowInsecureHttp;
    private CloseableHttpAsyncClient httpClient;
    private SSLContext sslContext;

    private Builder(String writeKey) {
      this.writeKey = writeKey;
    }

    /**
     * Sets the API base URI; batches go to {@code {endpoint}/v1/batch}. Default
     * {@code https://api.segment.io} ({@link Region#US}).
     *
     * @param endpoint an {@code https://} URI, or {@code http://} to a loopback host
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Sets the endpoint to a Segment region's.
     *
     * @param region the region your workspace lives in
     * @return this builder
     */
    public Builder region(Region region) {
      this.endpoint = Objects.requireNonNull(region, "region").endpoint();
      return this;
    }

    /**
     * Sets the {@code User-Agent} header. Default {@code beacon-java/<version>}.
     *
     * @param userAgent a non-blank value
     * @return this builder
     */
    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Sets the factory of the transport's threads (one IO thread, plus one when a rate cap is
     * set). Default: daemon threads named {@code beacon-http-N}.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      return this;
    }

    /**
     * Logs every request and its outcome at INFO (never the write key). Default false.
     *
     * @param debug whether to log each request
     * @return this builder
     */
    public Builder debug(boolean debug) {
      this.debug = debug;
      return this;
    }

    /**
     * Sets the longest wait for a TCP (and TLS) connection, and for a pooled connection. Default
     * {@value HttpTransport#DEFAULT_CONNECT_TIMEOUT_SECONDS} s.
     *
     * @param connectTimeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Sets the longest silence while waiting for the response. Default
     * {@value HttpTransport#DEFAULT_RESPONSE_TIMEOUT_SECONDS} s. A timeout is retryable.
     *
     * @param responseTimeout positive
     * @return this builder
     */
    public Builder responseTimeout(Duration responseTimeout) {
      this.responseTimeout = responseTimeout;
      return this;
    }

    /**
     * Sends through an HTTP proxy (HTTPS goes through a {@code CONNECT} tunnel). Default none.
     *
     * @param host the proxy host
     * @param port the proxy port, 1 to 65535
     * @return this builder
     */
    public Builder proxy(String host, int port) {
      this.proxyHost = host;
      this.proxyPort = port;
      return this;
    }

    /**
     * Authenticates to the proxy (Basic or another scheme the proxy offers). Default none.
     *
     * @param user the proxy user name
     * @param password the proxy password (copied; never logged)
     * @return this builder
     */
    public Builder proxyCredentials(String user, char[] password) {
      this.proxyUser = user;
      this.proxyPassword = password == null ? null : password.clone();
      return this;
    }

    /**
     * Sets how many batches may be in flight at once. Default
     * {@value HttpTransport#DEFAULT_MAX_CONCURRENT_REQUESTS}, which keeps each user's events in
     * the order they were sent; more raises throughput on slow links but lets a retried batch
     * arrive after a later one.
     *
     * @param maxConcurrentRequests 1 to {@value HttpTransport#MAX_CONCURRENT_REQUESTS}
     * @return this builder
     */
    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    /**
     * Caps the requests this transport starts per second (Segment accepts about 1,000 per
     * workspace and answers 429 beyond). Requests over the cap wait for their slot on a timer,
     * never on the engine's thread. Default 0: no cap.
     *
     * @param maxRequestsPerSecond 0 for none, or a positive rate
     * @return this builder
     */
    public Builder maxRequestsPerSecond(double maxRequestsPerSecond) {
      this.maxRequestsPerSecond = maxRequestsPerSecond;
      return this;
    }

    /**
     * Compresses request bodies with gzip ({@code Content-Encoding: gzip}). Default true.
     *
     * @param gzip whether to compress
     * @return this builder
     */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /**
     * Sets the gzip level. Default {@value HttpTransport#DEFAULT_GZIP_LEVEL} (fastest).
     *
     * @param gzipLevel 1 (fastest) to 9 (smallest)
     * @return this builder
     */
    public Builder gzipLevel(int gzipLevel) {
      this.gzipLevel = gzipLevel;
      return this;
    }

    /**
     * Chooses the compressor that gzips request bodies, by name. Default null: the
     * highest-priority {@link GzipCompressorProvider} found with {@link java.util.ServiceLoader}
     * (adding {@code dev.beacon:beacon-compression-libdeflate} to the class path gives
     * {@code "libdeflate"}, 1.6–2 times as fast at level 1 with bodies about a tenth smaller), else
     * {@value GzipCompressorProvider#JDK}, the JDK's {@link Deflater}. {@code "jdk"} forces the
     * JDK's compressor even when another is on the class path.
     *
     * <p>A compressor that cannot start (no native library for this platform, an
     * {@link UnsatisfiedLinkError}) never fails the transport: it logs one warning and the JDK's
     * compressor is used; {@link HttpTransport#gzipCompressor()} says which one runs.
     *
     * @param name {@code "jdk"}, a provider's name such as {@code "libdeflate"}, or null for the default
     * @return this builder
     */
    public Builder gzipCompressor(String name) {
      this.gzipCompressor = name;
      this.gzipProvider = null;
      return this;
    }

    /**
     * Gzips request bodies with compressors from this provider, whether or not
     * {@link java.util.ServiceLoader} would find it (replaces {@link #gzipCompressor(String)}).
     * If its compressor cannot start, the transport logs one warning and uses the JDK's
     * {@link Deflater}, as with a provider chosen by name.
     *
     * @param provider the provider, or null for the default
     * @return this builder
     */
    public Builder gzipCompressor(GzipCompressorProvider provider) {
      this.gzipProvider = provider;
      this.gzipCompressor = null;
      return this;
    }

    /** For tests: the providers to choose from instead of ServiceLoader's. */
    Builder gzipProviders(Iterable<GzipCompressorProvider> providers) {
      this.gzipProviders = providers;
      return this;
    }

    /**
     * Allows a plaintext {@code http://} endpoint on a host that is not loopback, e.g. a collector
     * inside a trusted network. Default false: such an endpoint is refused at {@link #build()},
     * since the write key and user data would travel unencrypted.
     *
     * @param allowInsecureHttp whether to allow plaintext to any host
     * @return this builder
     */
    public Builder allowInsecureHttp(boolean allowInsecureHttp) {
      this.allowInsecureHttp = allowInsecureHttp;
      return this;
    }

    /**
     * Sets the TLS context of the transport's connections: its trust managers decide which server
     * certificates are trusted (and its key managers, if any, present a client certificate). Use
     * it when the endpoint's certificate is signed by a CA the JVM does not trust, such as a
     * corporate TLS-inspecting proxy's or a private collector's:
     *
     * <pre>{@code
     * KeyStore trust = KeyStore.getInstance("PKCS12");
     * try (InputStream in = Files.newInputStream(Path.of("/etc/pki/corporate-ca.p12"))) {
     *   trust.load(in, password);
     * }
     * TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
     * tmf.init(trust);
     * SSLContext tls = SSLContext.getInstance("TLS");
     * tls.init(null, tmf.getTrustManagers(), null);
     * HttpTransport http = HttpTransport.builder(writeKey).sslContext(tls).build();
     * }</pre>
     *
     * <p>The host name is still checked against the certificate. A certificate that is not
     * trusted or does not match the host fails the attempt permanently (not retried), with a
     * message naming the host. Default: the JVM's default TLS context, which trusts the JVM's CA
     * certificates, or the trust store named by {@code -Djavax.net.ssl.trustStore}.
     *
     * @param sslContext an initialized context
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Uses your own HttpClient 5 async client, for anything the builder does not offer (TLS
     * material, DNS, interceptors). It is started if needed and never closed by the transport:
     * it is yours. Its redirects are disabled for Beacon's requests, which also use this
     * builder's response timeout; the connect timeout, proxy and pool size are then your
     * client's. Default: a client of the transport's own.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(CloseableHttpAsyncClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    /**
     * Validates the settings and starts the transport (its IO thread starts now).
     *
     * @return a transport, to be closed by the client it is given to
     * @throws IllegalArgumentException naming the first invalid option
     */
    public HttpTransport build() {
      URI batchUri = Endpoints.batchUri(endpoint, allowInsecureHttp);
      if (userAgent == null || userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank but was " + userAgent);
      }
      positive(connectTimeout, "connectTimeout");
      positive(responseTimeout, "responseTimeout");
      if (maxConcurrentRequests < 1 || maxConcurrentRequests > MAX_CONCURRENT_REQUESTS) {
        throw new IllegalArgumentException("maxConcurrentRequests must be between 1 and " + MAX_CONCURRENT_REQUESTS
            + " but was " + maxConcurrentRequests);
      }
      if (!(maxRequestsPerSecond >= 0) || Double.isInfinite(maxRequestsPerSecond)) {
        throw new IllegalArgumentException("maxRequestsPerSecond must be 0 (no cap) or a positive rate but was "
            + maxRequestsPerSecond);
      }
      if (gzipLevel < 1 || gzipLevel > 9) {
        throw new IllegalArgumentException("gzipLevel must be between 1 and 9 but was " + gzipLevel);
      }
      if (gzipCompressor != null && gzipCompressor.isBlank()) {
        throw new IllegalArgumentException("gzipCompressor must be null (the default) or a name but was '"
            + gzipCompressor + "'");
      }
      if (proxyHost != null) {
        if (proxyHost.isBlank()) {
          throw new IllegalArgumentException("proxy host must not be blank");
        }
        if (proxyPort < 1 || proxyPort > 65535) {
          throw new IllegalArgumentException("proxy port must be between 1 and 65535 but was " + proxyPort);
        }
      }
      if (proxyUser != null && (proxyHost == null || proxyPassword == null)) {
        throw new IllegalArgumentException("proxyCredentials need a proxy(host, port) and a non-null password");
      }
      if (httpClient != null && sslContext != null) {
        throw new IllegalArgumentException("sslContext cannot be combined with httpClient: configure TLS on"
            + " your own client");
      }
      if (httpClient != null && proxyHost != null) {
        throw new IllegalArgumentException("proxy cannot be combined with httpClient: configure the proxy on"
            + " your own client");
      }
      // First the compressor (an unknown name fails here, before any thread starts), then the
      // client; the compressor's native memory is freed if the client cannot start.
      GzipBodies bodies = gzip ? GzipBodies.start(gzipCompressor, gzipProvider, gzipLevel, gzipProviders) : null;
      try {
        return new HttpTransport(this, batchUri, bodies);
      } catch (RuntimeException | Error e) {
        if (bodies != null) {
          bodies.close();
        }
        throw e;
      }
    }

    private static void positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
    }

    @Override
    public String toString() {
      return "HttpTransport.Builder{endpoint=" + endpoint + ", writeKey=<redacted>}";
    }
  }
}
