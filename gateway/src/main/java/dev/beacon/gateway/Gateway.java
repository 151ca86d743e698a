package dev.beacon.gateway;

import dev.beacon.wire.SegmentApi;
import dev.beacon.wire.SegmentRequests;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A self-hosted endpoint speaking Segment's HTTP tracking API, on Netty: every Segment SDK can post
 * to it, and an event is answered 200 only once its {@link Sink} made it durable.
 *
 * <p>It serves {@code POST /v1/batch}, {@code /v1/import}, {@code /v1/b}, {@code /b}, the six
 * {@code /v1/{type}} endpoints and their one-letter forms {@code /v1/{i,t,p,s,g,a}};
 * {@code GET /v1/projects/{writeKey}/settings} for analytics.js; CORS with preflights;
 * {@code GET /health}, {@code /ready} and {@code /metrics} (Prometheus text). Bodies are checked by
 * the same code as the testkit's {@code CollectorServer} ({@link SegmentRequests}); Segment's limits
 * apply (32 KB a message, 500 KB a request, 2,500 messages), each refusal a 400 whose JSON names the
 * rule. Everything a client sends is bounded: header size, body size (refused on
 * {@code Content-Length} before reading; a chunked body stops being read past the limit), the time a
 * request may take to arrive, idle keep-alive connections, the number of connections, and the body
 * bytes held at once: a request's body is read only once its size (its {@code Content-Length}, or
 * the limit for a chunked body) fits in {@link Builder#maxPendingBytes(long)} together with the
 * bodies being read or waiting for the sink; until then its connection is not read (TCP pushes
 * back on the client) — there is no queue of bodies to grow.
 *
 * <pre>{@code
 * try (Gateway g = Gateway.builder(Path.of("keys.json"), sink).listen("127.0.0.1", 8080).build().start()) {
 *   ...
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  /** Default largest request line plus headers: 8 KB (Segment's SDKs send well under 2 KB). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
  /** Default most open connections: 10,000. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Default time a request (line, headers, body) may take to arrive from its first byte: 30 seconds. */
  public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
  /** Default time an idle keep-alive connection is kept: 60 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Default most request-body bytes held at once before reads pause: 64 MB. */
  public static final long DEFAULT_MAX_PENDING_BYTES = 64L * 1024 * 1024;
  /** Default time to wait for the sink to confirm an append before answering 503: 10 seconds. */
  public static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofSeconds(10);
  /** Default interval at which the keys file is checked for changes: 1 second. */
  public static final Duration DEFAULT_KEYS_RELOAD_INTERVAL = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final AtomicInteger GATEWAYS = new AtomicInteger();

  final Builder config;
  final Sink sink;
  final WriteKeys keys;
  final RequestProcessor processor;
  final PrometheusMeterRegistry registry;
  final GatewayMetrics metrics;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastErrorLog = new AtomicLong();
  private final AtomicLong errorsNotLogged = new AtomicLong();
  final ByteBudget budget;
  final Set<InetAddress> trustedProxies;
  private final int id = GATEWAYS.incrementAndGet();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Object lock = new Object();
  private EventLoopGroup boss;
  private EventLoopGroup ioGroup;
  ThreadPoolExecutor workers;
  private ScheduledExecutorService keysPoller;
  private Channel serverChannel;
  private volatile URI uri;
  volatile boolean draining;
  private boolean started;
  private boolean closed;

  private Gateway(Builder b) {
    this.config = b;
    this.sink = b.sink;
    this.keys = WriteKeys.load(b.keysFile, System::nanoTime);
    this.processor = new RequestProcessor(keys::lookup, b.limits, b.strict, System::nanoTime);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.budget = new ByteBudget(b.maxPendingBytes);
    this.metrics = new GatewayMetrics(registry, sink, connections::get, budget::held);
    this.trustedProxies = Set.copyOf(b.trustedProxies);
  }

  /**
   * Starts configuring a gateway.
   *
   * @param keysFile the write keys file ({@code {"sources":[{"writeKey":…,"name":…,"ratePerSecond":…}]}})
   * @param sink where accepted events go; the gateway closes it
   * @return a builder with every default
   */
  public static Builder builder(Path keysFile, Sink sink) {
    return new Builder(keysFile, sink);
  }

  /**
   * Binds the listen address and starts serving.
   *
   * @return this gateway
   * @throws IllegalStateException when started twice, after close, or when the address cannot be bound
   */
  public Gateway start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException("a Gateway starts once");
      }
      started = true;
      AtomicInteger n = new AtomicInteger();
      workers = new ThreadPoolExecutor(config.workers, config.workers, 30, TimeUnit.SECONDS,
          // One task per connection at most (reads pause while its request is handled): never full.
          new ArrayBlockingQueue<>(config.maxConnections + 16), r -> {
            Thread t = new Thread(r, "gateway-" + id + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      keysPoller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gateway-" + id + "-keys");
        t.setDaemon(true);
        return t;
      });
      long every = config.keysReloadInterval.toMillis();
      keysPoller.scheduleWithFixedDelay(() -> {
        try {
          keys.reloadIfChanged();
        } catch (RuntimeException e) {
          LOG.error("checking the keys file failed; keeping the keys in use", e);
        }
      }, every, every, TimeUnit.MILLISECONDS);
      boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads, NioIoHandler.newFactory());
      ServerBootstrap b = new ServerBootstrap()
          .group(boss, ioGroup)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (draining || connections.incrementAndGet() > config.maxConnections) {
                if (!draining) {
                  connections.decrementAndGet();
                }
                ch.close();
                return;
              }
              ch.closeFuture().addListener(f -> connections.decrementAndGet());
              channels.add(ch);
              if (config.sslContext != null) {
                ch.pipeline().addLast(config.sslContext.newHandler(ch.alloc()));
              }
              ch.pipeline()
                  .addLast(new SlowClientGuard(config.requestReadTimeout))
                  .addLast(new IdleStateHandler(0, 0, config.idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                  .addLast(new HttpServerCodec(new HttpDecoderConfig()
                      .setMaxInitialLineLength(Math.min(4096, config.maxHeaderBytes))
                      .setMaxHeaderSize(config.maxHeaderBytes)
                      .setMaxChunkSize(16 * 1024)))
                  // The codec emits every request decoded from one read at once, whatever auto-read
                  // says: this holds pipelined requests back while the handler's reads are paused, so
                  // that no answer overtakes the one before it (RFC 9112 §9.3.2).
                  .addLast(new FlowControlHandler())
                  .addLast(new GatewayHandler(Gateway.this));
            }
          });
      try {
        serverChannel = b.bind(config.host, config.port).sync().channel();
      } catch (Exception e) {
        shutdownThreads(Duration.ZERO);
        throw new IllegalStateException("cannot listen on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
      }
      InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
      String h = bound.getAddress().getHostAddress();
      uri = URI.create((config.sslContext != null ? "https://" : "http://") + (h.contains(":") ? "[" + h + "]" : h)
          + ":" + bound.getPort());
      LOG.info("gateway listening on {} with {} source(s); sink: {}", uri, keys.size(), sink.state());
      return this;
    }
  }

  /**
   * The base URI clients post to.
   *
   * @return e.g. {@code http://127.0.0.1:8080}
   * @throws IllegalStateException before {@link #start()}
   */
  public URI uri() {
    URI u = uri;
    if (u == null) {
      throw new IllegalStateException("the gateway is not started");
    }
    return u;
  }

  /**
   * The bound port.
   *
   * @return the port
   */
  public int port() {
    return uri().getPort();
  }

  /**
   * Events answered 200 so far.
   *
   * @return the count
   */
  public long acceptedEvents() {
    return accepted.get();
  }

  /**
   * Requests refused so far (any status other than 200 on an ingestion route).
   *
   * @return the count
   */
  public long refusedRequests() {
    return refused.get();
  }

  /**
   * Whether the sink takes events (what {@code /ready} answers).
   *
   * @return true when ready
   */
  public boolean ready() {
    return !draining && sink.ready();
  }

  /**
   * The Prometheus text of the gateway's meters (what {@code /metrics} answers).
   *
   * @return the scrape
   */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops gracefully with a 30-second bound; see {@link #close(Duration)}. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Stops gracefully: stops accepting connections, answers the requests in flight (connections
   * close after their answer; idle ones at once), then closes the sink, all within {@code timeout}.
   * Idempotent.
   *
   * @param timeout the most time to take
   * @return true when every request in flight was answered and the sink settled in time
   */
  public boolean close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (closed) {
        return true;
      }
      closed = true;
      draining = true;
    }
    boolean clean = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(Math.max(1, remaining(deadline) / 1_000_000));
    }
    for (Channel ch : channels) {
      GatewayHandler h = ch.pipeline().get(GatewayHandler.class);
      if (h != null) {
        ch.eventLoop().execute(h::closeWhenIdle);
      } else {
        ch.close();
      }
    }
    synchronized (lock) {
      while (inFlight.get() > 0 && remaining(deadline) > 0) {
        try {
          // requestDone() notifies under this lock once the last request is answered: no polling.
          lock.wait(Math.max(1, remaining(deadline) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (inFlight.get() > 0) {
      LOG.warn("gateway closing with {} request(s) still unanswered: their clients get no answer and send again",
          inFlight.get());
      clean = false;
    }
    channels.close().awaitUninterruptibly(Math.max(1, Math.min(1000, remaining(deadline) / 1_000_000)));
    clean &= sink.close(Duration.ofNanos(Math.max(0, remaining(deadline))));
    shutdownThreads(Duration.ofNanos(Math.max(0, remaining(deadline))));
    registry.close();
    LOG.info("gateway stopped: {} event(s) accepted, {} request(s) refused", accepted.get(), refused.get());
    return clean;
  }

  /**
   * Logs an unexpected failure at ERROR at most once every 10 seconds, with how many were not
   * logged: a broken sink fails every request, and the log must stay readable.
   */
  void logRateLimited(String what, Throwable e) {
    long now = System.nanoTime();
    long last = lastErrorLog.get();
    if ((last == 0 || now - last >= 10_000_000_000L) && lastErrorLog.compareAndSet(last, now == 0 ? 1 : now)) {
      long skipped = errorsNotLogged.getAndSet(0);
      LOG.error("{}{}", what, skipped > 0 ? " (" + skipped + " more since the last such line)" : "", e);
    } else {
      errorsNotLogged.incrementAndGet();
    }
  }

  /** Wakes {@link #close(Duration)} when the last request in flight is answered. */
  void requestDone() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  private void shutdownThreads(Duration timeout) {
    long ms = Math.max(1, timeout.toMillis());
    if (keysPoller != null) {
      keysPoller.shutdownNow();
    }
    if (workers != null) {
      workers.shutdown();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS);
    }
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, ms, TimeUnit.MILLISECONDS).awaitUninterruptibly(ms);
    }
  }

  private static long remaining(long deadline) {
    return deadline - System.nanoTime();
  }

  @Override
  public String toString() {
    URI u = uri;
    return "Gateway{" + (u == null ? "not started" : u) + ", " + keys.size() + " source(s)}";
  }

  /** Configures a {@link Gateway}; every option but the keys file and the sink has a default. */
  public static final class Builder {
    final Path keysFile;
    final Sink sink;
    String host = "127.0.0.1";
    int port = 8080;
    int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    int maxConnections = DEFAULT_MAX_CONNECTIONS;
    Duration requestReadTimeout = DEFAULT_REQUEST_READ_TIMEOUT;
    Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
    Duration appendTimeout = DEFAULT_APPEND_TIMEOUT;
    Duration keysReloadInterval = DEFAULT_KEYS_RELOAD_INTERVAL;
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    SegmentRequests.Limits limits = SegmentRequests.Limits.SEGMENT;
    boolean strict;
    Set<String> allowedOrigins;
    Set<InetAddress> trustedProxies = Set.of();
    SslContext sslContext;

    private Builder(Path keysFile, Sink sink) {
      this.keysFile = Objects.requireNonNull(keysFile, "keysFile");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Sets the address and port to listen on. Default {@code 127.0.0.1:8080}.
     *
     * @param host an address or host name
     * @param port 0 (ephemeral) to 65535
     * @return this builder
     */
    public Builder listen(String host, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("listen port must be between 0 and 65535 but was " + port);
      }
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      return this;
    }

    /**
     * Bounds the request line plus headers; a larger header is answered 431 and the connection closed.
     * Default {@value #DEFAULT_MAX_HEADER_BYTES}.
     *
     * @param bytes 1 KB to 1 MB
     * @return this builder
     */
    public Builder maxHeaderBytes(int bytes) {
      if (bytes < 1024 || bytes > 1024 * 1024) {
        throw new IllegalArgumentException("maxHeaderBytes must be between 1024 and 1048576 but was " + bytes);
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    /**
     * Bounds the open connections; past it a new connection is closed at once.
     * Default {@value #DEFAULT_MAX_CONNECTIONS}.
     *
     * @param max positive
     * @return this builder
     */
    public Builder maxConnections(int max) {
      this.maxConnections = positive(max, "maxConnections");
      return this;
    }

    /**
     * Bounds the time a request may take to arrive, from its first byte to the end of its body;
     * a slower client has its connection closed. Default 30 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestReadTimeout(Duration timeout) {
      this.requestReadTimeout = positive(timeout, "requestReadTimeout");
      return this;
    }

    /**
     * Closes a keep-alive connection with no traffic for this long. Default 60 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * Bounds the request-body bytes held at once (being read, waiting for or in the sink): a body
     * is read only once its size (its {@code Content-Length}, or the request limit when chunked)
     * fits; until then its connection is not read, and connections get room in arrival order as
     * answers free it. Default 64 MB.
     *
     * @param bytes at least 1 MB
     * @return this builder
     */
    public Builder maxPendingBytes(long bytes) {
      if (bytes < 1024 * 1024) {
        throw new IllegalArgumentException("maxPendingBytes must be at least 1048576 but was " + bytes);
      }
      this.maxPendingBytes = bytes;
      return this;
    }

    /**
     * Bounds the wait for the sink to confirm an append; past it the client gets 503 with
     * {@code Retry-After} (the events may still become durable: a client that sends again may
     * cause duplicates, which share their messageId). Default 10 seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder appendTimeout(Duration timeout) {
      this.appendTimeout = positive(timeout, "appendTimeout");
      return this;
    }

    /**
     * Sets how often the keys file is checked for changes. Default 1 second.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder keysReloadInterval(Duration interval) {
      this.keysReloadInterval = positive(interval, "keysReloadInterval");
      return this;
    }

    /**
     * Sets the threads that parse, check and append requests (never the network threads).
     * Default: the number of processors, at least 2.
     *
     * @param threads 1 to 256
     * @return this builder
     */
    public Builder workers(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("workers must be between 1 and 256 but was " + threads);
      }
      this.workers = threads;
      return this;
    }

    /**
     * Sets Segment's size limits. Default {@link SegmentRequests.Limits#SEGMENT}.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(SegmentRequests.Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Refuses what Segment accepts but an SDK should not send (no {@code context.library}, a time
     * without a zone). Default false.
     *
     * @param strict whether to refuse
     * @return this builder
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Limits the web origins that get CORS answers; a preflight from another origin is answered 403.
     * Default: any well-formed origin (echoed, with credentials allowed, as analytics.js needs).
     *
     * @param origins e.g. {@code https://shop.example.com}
     * @return this builder
     */
    public Builder allowOrigins(Set<String> origins) {
      Set<String> set = new HashSet<>();
      for (String o : origins) {
        if (o == null || !SegmentApi.wellFormedOrigin(o)) {
          throw new IllegalArgumentException("allowOrigins takes origins like https://shop.example.com "
              + "(scheme://host[:port], no path) but was " + o);
        }
        set.add(o);
      }
      this.allowedOrigins = Set.copyOf(set);
      return this;
    }

    /**
     * Sets the proxies (load balancers) whose {@code X-Forwarded-For} is believed for
     * {@code context.ip}; from any other peer the header is ignored. Default: none.
     *
     * @param addresses IP address literals
     * @return this builder
     */
    public Builder trustedProxies(Set<String> addresses) {
      Set<InetAddress> set = new HashSet<>();
      for (String a : addresses) {
        if (a == null || !(NetUtil.isValidIpV4Address(a) || NetUtil.isValidIpV6Address(a))) {
          throw new IllegalArgumentException("trustedProxies takes IP addresses but was " + a);
        }
        try {
          set.add(InetAddress.getByName(a));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("trustedProxies takes IP addresses but was " + a, e);
        }
      }
      this.trustedProxies = set;
      return this;
    }

    /**
     * Serves HTTPS with this JDK context (holding the server's key and certificate chain).
     * Default: plain HTTP.
     *
     * @param serverContext an initialized context with a key manager
     * @return this builder
     */
    public Builder tls(SSLContext serverContext) {
      this.sslContext = new JdkSslContext(Objects.requireNonNull(serverContext, "serverContext"), false,
          ClientAuth.NONE);
      return this;
    }

    /**
     * Serves HTTPS with a certificate chain and key read from PEM files. Default: plain HTTP.
     *
     * @param certificateChainPem the server certificate, then its intermediates, in PEM
     * @param privateKeyPem the server's private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
     * @return this builder
     * @throws IllegalArgumentException naming the file when they cannot be read or do not match
     */
    public Builder tls(Path certificateChainPem, Path privateKeyPem) {
      Objects.requireNonNull(certificateChainPem, "certificateChainPem");
      Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      try {
        this.sslContext = SslContextBuilder.forServer(certificateChainPem.toFile(), privateKeyPem.toFile()).build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot use the TLS certificate " + certificateChainPem + " and key "
            + privateKeyPem + " (the key must be unencrypted PKCS#8 PEM): " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * Creates the gateway, reading the keys file once.
     *
     * @return a gateway, not started
     * @throws IllegalArgumentException when the keys file cannot be used
     */
    public Gateway build() {
      // A copy: changing this builder afterwards does not change the gateway.
      Builder c = new Builder(keysFile, sink);
      c.host = host;
      c.port = port;
      c.maxHeaderBytes = maxHeaderBytes;
      c.maxConnections = maxConnections;
      c.requestReadTimeout = requestReadTimeout;
      c.idleTimeout = idleTimeout;
      c.maxPendingBytes = maxPendingBytes;
      c.appendTimeout = appendTimeout;
      c.keysReloadInterval = keysReloadInterval;
      c.workers = workers;
      c.ioThreads = ioThreads;
      c.limits = limits;
      c.strict = strict;
      c.allowedOrigins = allowedOrigins;
      c.trustedProxies = Set.copyOf(trustedProxies);
      c.sslContext = sslContext;
      return new Gateway(c);
    }

    private static int positive(int v, String name) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be positive but was " + v);
      }
      return v;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      return d;
    }
  }
}
