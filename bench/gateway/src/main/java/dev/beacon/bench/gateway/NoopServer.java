package dev.beacon.bench.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling of the gateway bench: a Netty server with the gateway's own HTTP codec and thread
 * layout (one acceptor, one event loop per core) that answers every request 200
 * {@code {"success":true}} as soon as its head is decoded, without looking at the body (the codec
 * still has to walk past the body's bytes to find the next request on a keep-alive connection).
 * Whatever the gateway does beyond this — reading, checking and normalizing the JSON, making it
 * durable — is what the ratio to this server measures.
 */
final class NoopServer implements AutoCloseable {
  private static final byte[] OK = "{\"success\":true}".getBytes(StandardCharsets.US_ASCII);

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel server;
  private final AtomicLong requests = new AtomicLong();

  private NoopServer(int ioThreads) throws InterruptedException {
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
    ChannelHandler answer = new Answer();
    server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec()).addLast(answer);
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  static NoopServer start(int ioThreads) throws InterruptedException {
    return new NoopServer(ioThreads);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    boss.shutdownGracefully().awaitUninterruptibly();
    workers.shutdownGracefully().awaitUninterruptibly();
  }

  /** Answers on the request head; body chunks are released unread (SimpleChannelInboundHandler). */
  @ChannelHandler.Sharable
  private final class Answer extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest request) {
        requests.incrementAndGet();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(OK));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, OK.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response).addListener(f -> {
          if (!keepAlive) {
            ctx.close();
          }
        });
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
