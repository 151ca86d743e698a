package dev.beacon.gateway;

import dev.beacon.wire.SegmentApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP handling. Everything that can be refused from the request line and headers
 * is refused before the body is read (the connection then closes); a body is gathered up to its
 * limit, then handed to a worker thread while this connection's reads are paused, and answered
 * when the sink completes. All fields are touched on the connection's event loop only.
 *
 * <p>Pipelined requests (several written before the first answer is read, RFC 9112 §9.3.2) are
 * answered one at a time, in order: a {@link FlowControlHandler} between the HTTP codec and this
 * handler ({@link Gateway} sets the pipeline up) holds what
 * the codec decoded from bytes already read while this handler's reads are paused, and hands it on
 * once the answer before it is written. It holds no more than what was read before the pause.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter implements ByteBudget.Waiter {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHandler.class);

  private enum State { IDLE, READING, DISCARDING, PROCESSING }

  private final Gateway gateway;
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private CompositeByteBuf body;
  private int bodyLimit;
  /** Body bytes reserved against the gateway's budget for the current request (its declared or largest size). */
  private long reserved;
  private boolean waitingForRoom;
  private boolean waitingLast;
  private boolean closeWhenIdle;
  /** The request in hand asked for {@code 100 Continue} and has not been sent it yet. */
  private boolean expectContinue;
  /** An answer that closes the connection was written: whatever the client sent after it is dropped. */
  private boolean closing;
  private RequestProcessor.Request pending;
  private boolean keepAlive;
  private String allowedOrigin;
  private String routeTag;

  GatewayHandler(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing) {
        return; // pipelined behind an answer that closes the connection: never read, never answered
      }
      if (msg instanceof HttpRequest) {
        onRequest((HttpRequest) msg);
      }
      if (msg instanceof HttpContent) {
        onContent((HttpContent) msg);
      }
    } finally {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(HttpRequest req) {
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      routeTag = "invalid";
      if (cause instanceof TooLongHttpHeaderException) {
        refuseAndClose(431, "request headers are larger than " + gateway.config.maxHeaderBytes + " bytes");
      } else if (cause instanceof TooLongHttpLineException) {
        refuseAndClose(414, "request line is too long");
      } else {
        refuseAndClose(400, "malformed HTTP request");
      }
      state = State.DISCARDING;
      return;
    }
    if (state != State.IDLE) {
      // Cannot happen while the flow-control handler holds pipelined requests back. Were it to, an
      // answer now would overtake the one in progress: answer that one, then close; the client sends
      // this request again on a new connection.
      LOG.debug("a request arrived before the previous one was answered; closing after that answer");
      closeWhenIdle = true;
      return;
    }
    keepAlive = HttpUtil.isKeepAlive(req) && !gateway.draining;
    HttpHeaders h = req.headers();
    String origin = h.get(HttpHeaderNames.ORIGIN);
    allowedOrigin = origin != null && SegmentApi.wellFormedOrigin(origin)
        && (gateway.config.allowedOrigins == null || gateway.config.allowedOrigins.contains(origin)) ? origin : null;
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    HttpMethod method = req.method();
    state = State.DISCARDING; // until a body is wanted
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && req.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
        && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
      routeTag = "invalid";
      refuseAndClose(417, "unsupported Expect header (only 100-continue)");
      return;
    }
    // RFC 9110 §10.1.1: a status known from the headers alone is sent at once, instead of a 100 that
    // would have the client upload a body this connection will not read; the 100 goes out only once
    // the body has room (below, or when the budget grants it).
    expectContinue = HttpUtil.is100ContinueExpected(req);
    if (HttpMethod.GET.equals(method) && ("/health".equals(path) || "/".equals(path))) {
      routeTag = "health";
      answer(200, "{\"status\":\"ok\",\"service\":\"beacon gateway\"}", "application/json", false);
      return;
    }
    if (HttpMethod.GET.equals(method) && "/ready".equals(path)) {
      routeTag = "ready";
      boolean ready = gateway.ready();
      answer(ready ? 200 : 503, "{\"ready\":" + ready + ",\"sink\":" + SegmentApi.jsonString(gateway.sink.state())
          + "}", "application/json", false);
      return;
    }
    if (HttpMethod.GET.equals(method) && "/metrics".equals(path)) {
      routeTag = "metrics";
      answer(200, gateway.scrape(), "text/plain; version=0.0.4; charset=utf-8", false);
      return;
    }
    SegmentApi.Route route = SegmentApi.route(path);
    routeTag = switch (route.kind()) {
      case BATCH -> "batch";
      case SINGLE -> route.type();
      case SETTINGS -> "settings";
      case UNKNOWN -> "unknown";
    };
    if (route.kind() == SegmentApi.Kind.UNKNOWN) {
      refuseAndClose(404, "unknown endpoint");
      return;
    }
    String allow = route.kind() == SegmentApi.Kind.SETTINGS ? "GET, OPTIONS" : "POST, OPTIONS";
    if (HttpMethod.OPTIONS.equals(method)) {
      preflight(h, origin, allow);
      return;
    }
    if (route.kind() == SegmentApi.Kind.SETTINGS) {
      if (!HttpMethod.GET.equals(method)) {
        refuseAndClose(405, "use GET", "Allow", allow);
      } else if (gateway.keys.lookup(route.settingsKey()) == null) {
        refuseAndClose(404, "no settings for this write key");
      } else {
        String host = SegmentApi.safeHost(h.get(HttpHeaderNames.HOST));
        answer(200, SegmentApi.settingsJson(route.settingsKey(), host != null ? host : gateway.uri().getAuthority(),
            gateway.config.sslContext != null), "application/json", false);
      }
      return;
    }
    if (!HttpMethod.POST.equals(method)) {
      refuseAndClose(405, "use POST", "Allow", allow);
      return;
    }
    WriteKeys.Source headerSource = null;
    String auth = h.get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null) {
      byte[] user = SegmentApi.basicAuthUser(auth);
      headerSource = user == null ? null : gateway.keys.lookup(new String(user, StandardCharsets.UTF_8));
      if (headerSource == null) {
        refuseAndClose(401, "the write key is not valid");
        return;
      }
    }
    String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !"gzip".equalsIgnoreCase(encoding) && !"identity".equalsIgnoreCase(encoding)) {
      refuseAndClose(415, "unsupported Content-Encoding (gzip or none)");
      return;
    }
    boolean batch = route.kind() == SegmentApi.Kind.BATCH;
    int limit = batch ? gateway.config.limits.maxBatchBytes() : gateway.config.limits.maxMessageBytes();
    bodyLimit = SegmentApi.wireCap(limit);
    long declared = HttpUtil.getContentLength(req, -1L);
    if (declared > bodyLimit) {
      refuseAndClose(400, "Payload too large: request body is " + declared + " bytes (Content-Length); the limit is "
          + limit);
      return;
    }
    pending = new RequestProcessor.Request(route, encoding, headerSource, clientIp(h));
    body = ctx.alloc().compositeBuffer(64);
    state = State.READING;
    // The whole body is reserved before it is read, so that every body being read can finish:
    // pausing mid-body could leave every connection waiting for room only answers would free.
    reserved = declared >= 0 ? declared : bodyLimit;
    if (!gateway.budget.tryReserve(reserved)) {
      waitingForRoom = true;
      updateAutoRead();
      gateway.budget.waitForRoom(this);
    } else {
      sendContinueIfExpected();
    }
  }

  /** Tells a client that asked for it to send its body: the body has room and will be read. */
  private void sendContinueIfExpected() {
    if (expectContinue) {
      expectContinue = false;
      FullHttpResponse goOn = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER);
      ctx.writeAndFlush(goOn);
    }
  }

  private void onContent(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      // The codec found the body's framing broken (a bad chunk size, say) and ends the body here with
      // a failed last part: what came before it is not a complete request, so none of it is stored.
      // The codec discards the rest of the connection's bytes, so the connection ends with the answer.
      if (state == State.READING) {
        releaseBody();
        giveUpReservation();
        refuseAndClose(400, "malformed HTTP request body (broken chunked framing)");
        state = State.DISCARDING;
      } else if (state == State.IDLE) {
        ctx.close();
      }
      return;
    }
    if (state != State.READING) {
      return;
    }
    ByteBuf chunk = content.content();
    int n = chunk.readableBytes();
    if (n > 0) {
      if (body.readableBytes() + (long) n > bodyLimit) {
        // A chunked (or lying) body past the limit: stop reading it, answer, close.
        releaseBody();
        giveUpReservation();
        refuseAndClose(400, "Payload too large: request body is larger than " + bodyLimit + " bytes");
        state = State.DISCARDING;
        return;
      }
      body.addComponent(true, chunk.retain());
    }
    if (content instanceof LastHttpContent) {
      if (waitingForRoom) {
        // A body that came in the same socket read as its headers: it waits for room like the rest.
        waitingLast = true;
        return;
      }
      SlowClientGuard guard = ctx.pipeline().get(SlowClientGuard.class);
      if (guard != null) {
        guard.requestArrived();
      }
      dispatch();
    }
  }

  @Override
  public long reservation() {
    return reserved;
  }

  /** Called on any thread once the budget reserved this request's bytes for it. */
  @Override
  public void granted() {
    ctx.executor().execute(() -> {
      waitingForRoom = false;
      if (!ctx.channel().isActive() || state != State.READING) {
        // Closed, or refused while it waited (a chunked body past the limit): nothing to read.
        releaseReservation();
        return;
      }
      if (waitingLast) {
        waitingLast = false;
        SlowClientGuard guard = ctx.pipeline().get(SlowClientGuard.class);
        if (guard != null) {
          guard.requestArrived();
        }
        dispatch();
      } else {
        sendContinueIfExpected();
        updateAutoRead();
      }
    });
  }

  /**
   * Drops this request's claim on the budget, whether it holds its bytes or still waits for them;
   * a grant already on its way releases them when it runs (see {@link #granted()}).
   */
  private void giveUpReservation() {
    if (!waitingForRoom) {
      releaseReservation();
    } else if (gateway.budget.stopWaiting(this)) {
      reserved = 0;
    }
  }

  private void releaseReservation() {
    long r = reserved;
    reserved = 0;
    if (r > 0) {
      gateway.budget.release(r);
    }
  }

  private void updateAutoRead() {
    ctx.channel().config().setAutoRead(!waitingForRoom && state != State.PROCESSING);
  }

  private void dispatch() {
    expectContinue = false; // the body came without waiting for a 100: none is owed (RFC 9110 §10.1.1)
    byte[] raw = new byte[body.readableBytes()];
    body.readBytes(raw);
    releaseBody();
    state = State.PROCESSING;
    updateAutoRead();
    gateway.inFlight.incrementAndGet();
    RequestProcessor.Request req = pending;
    pending = null;
    try {
      gateway.workers.execute(() -> work(req, raw));
    } catch (RejectedExecutionException e) {
      finish(RequestProcessor.Outcome.refuse(503, "unavailable", "the gateway is stopping"), 0, null);
    }
  }

  /** On a worker thread: parse, check, append; the answer is written back on the event loop. */
  private void work(RequestProcessor.Request req, byte[] raw) {
    RequestProcessor.Outcome outcome;
    try {
      outcome = gateway.processor.process(req, raw);
    } catch (RuntimeException e) {
      gateway.logRateLimited("request handling failed (answered 500)", e);
      outcome = RequestProcessor.Outcome.refuse(500, "error", "internal error");
    }
    if (outcome.status() != 200) {
      RequestProcessor.Outcome o = outcome;
      try {
        ctx.executor().execute(() -> finish(o, 0, null));
      } catch (RejectedExecutionException stopped) {
        gateway.requestDone();
      }
      return;
    }
    long start = System.nanoTime();
    CompletableFuture<Void> appended;
    try {
      appended = gateway.sink.append(outcome.events());
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    RequestProcessor.Outcome o = outcome;
    appended.orTimeout(gateway.config.appendTimeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
        .whenComplete((v, error) -> {
          gateway.metrics.appendTook(Duration.ofNanos(System.nanoTime() - start));
          try {
            ctx.executor().execute(() -> finish(o, o.events().size(), error));
          } catch (RejectedExecutionException stopped) {
            // The network threads are gone (the gateway stopped past its timeout): nobody to answer.
            gateway.requestDone();
          }
        });
  }

  /** Event loop: answers the request handed to a worker. */
  private void finish(RequestProcessor.Outcome o, int events, Throwable appendError) {
    try {
      Throwable e = appendError instanceof CompletionException && appendError.getCause() != null
          ? appendError.getCause() : appendError;
      if (o.status() == 200 && e == null) {
        gateway.accepted.addAndGet(events);
        gateway.metrics.accepted(o.source(), events);
        answer(200, "{\"success\":true}", "application/json", true);
      } else if (o.status() == 200) {
        int n = o.events().size();
        if (e instanceof Sink.Refused) {
          gateway.metrics.rejected("sink_refused", n);
          refuse(500, "the sink refused these events: " + e.getMessage(), true);
        } else {
          String why = e instanceof Sink.Unavailable ? e.getMessage()
              : e instanceof TimeoutException ? "the sink did not confirm within " + gateway.config.appendTimeout
              : "the sink failed (" + e.getClass().getSimpleName() + ")";
          if (!(e instanceof Sink.Unavailable) && !(e instanceof TimeoutException)) {
            gateway.logRateLimited("sink append failed (answered 503)", e);
          }
          gateway.metrics.rejected("unavailable", n);
          refuse(503, why, true, "Retry-After", "5");
        }
      } else if (o.status() == 429) {
        gateway.metrics.rejected(o.reason(), 1);
        long reset = Instant.now().getEpochSecond() + o.retryAfterSeconds();
        refuse(429, o.message(), true, "Retry-After", Long.toString(o.retryAfterSeconds()),
            "X-RateLimit-Reset", Long.toString(reset));
      } else {
        gateway.metrics.rejected(o.reason(), 1);
        refuse(o.status(), o.message(), true, o.status() == 503 ? "Retry-After" : null, "5");
      }
    } finally {
      releaseReservation();
      state = State.IDLE;
      updateAutoRead();
      gateway.requestDone();
    }
  }

  private void preflight(HttpHeaders h, String origin, String allow) {
    if (origin != null && allowedOrigin == null) {
      refuseAndClose(403, "origin not allowed by this gateway (--allow-origin)");
      return;
    }
    FullHttpResponse res = response(204, null, null);
    res.headers().set("Allow", allow);
    if (origin != null) {
      res.headers().set("Access-Control-Allow-Methods", allow);
      res.headers().set("Access-Control-Allow-Headers",
          SegmentApi.corsAllowHeaders(h.get("Access-Control-Request-Headers")));
      res.headers().set("Access-Control-Max-Age", "600");
      if ("true".equalsIgnoreCase(h.get("Access-Control-Request-Private-Network"))) {
        res.headers().set("Access-Control-Allow-Private-Network", "true");
      }
    }
    write(res, 204, false);
  }

  private void answer(int status, String text, String contentType, boolean fromWorker) {
    FullHttpResponse res = response(status, text, contentType);
    write(res, status, fromWorker);
  }

  private void refuse(int status, String message, boolean fromWorker, String... headers) {
    gateway.refused.incrementAndGet();
    FullHttpResponse res = response(status, SegmentApi.errorBody(message), "application/json");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i] != null) {
        res.headers().set(headers[i], headers[i + 1]);
      }
    }
    if (status == 401) {
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Segment\"");
    }
    write(res, status, fromWorker);
  }

  /** Refuses before the body is read: the connection closes after the answer, so the body is never read. */
  private void refuseAndClose(int status, String message, String... headers) {
    keepAlive = false;
    if (status != 404 && status != 405) {
      gateway.metrics.rejected(status == 401 ? "unauthorized"
          : message.startsWith("Payload too large") ? "too_large" : "http_" + status, 1);
    }
    refuse(status, message, false, headers);
  }

  private FullHttpResponse response(int status, String text, String contentType) {
    ByteBuf content = text == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    if (contentType != null) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (allowedOrigin != null) {
      res.headers().set("Access-Control-Allow-Origin", allowedOrigin);
      res.headers().set("Access-Control-Allow-Credentials", "true");
      res.headers().set("Access-Control-Expose-Headers", "Retry-After, X-RateLimit-Reset");
      res.headers().add(HttpHeaderNames.VARY, "Origin");
    }
    return res;
  }

  private void write(FullHttpResponse res, int status, boolean fromWorker) {
    gateway.metrics.request(routeTag == null ? "unknown" : routeTag, status);
    boolean close = !keepAlive || gateway.draining || closeWhenIdle;
    if (close) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    var f = ctx.writeAndFlush(res);
    if (close) {
      closing = true;
      f.addListener(ChannelFutureListener.CLOSE);
    } else {
      SlowClientGuard guard = ctx.pipeline().get(SlowClientGuard.class);
      if (guard != null) {
        guard.answered();
      }
    }
    if (!fromWorker && state == State.DISCARDING && !close) {
      state = State.IDLE;
    }
  }

  /** The client's address: the peer, or from a trusted proxy the last untrusted X-Forwarded-For hop. */
  private String clientIp(HttpHeaders h) {
    InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    if (gateway.trustedProxies.contains(peer)) {
      List<String> values = h.getAll("X-Forwarded-For");
      String[] hops = String.join(",", values).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        if (!(NetUtil.isValidIpV4Address(hop) || NetUtil.isValidIpV6Address(hop))) {
          break; // a malformed hop: trust nothing before it
        }
        try {
          InetAddress a = InetAddress.getByName(hop);
          if (!gateway.trustedProxies.contains(a)) {
            return a.getHostAddress();
          }
        } catch (UnknownHostException e) {
          break;
        }
      }
    }
    return peer.getHostAddress();
  }

  /** Graceful stop: an idle connection closes now, a busy one after its answer. */
  void closeWhenIdle() {
    closeWhenIdle = true;
    if (state == State.IDLE) {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && state != State.PROCESSING) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseBody();
    if (state != State.PROCESSING) {
      // Still queued for room, or granted with the grant's task not yet run (that task releases it).
      giveUpReservation();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection, a TLS failure: nothing to answer; never let it reach Netty's tail logger as an error.
    LOG.debug("connection closed after an error: {}", cause.toString());
    ctx.close();
  }
}
