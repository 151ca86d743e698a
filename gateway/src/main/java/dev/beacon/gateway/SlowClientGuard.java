package dev.beacon.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request takes longer than the read timeout to arrive, from its first
 * byte to the end of its body (a slow-loris client trickling headers or body). Sits before the HTTP codec, so it sees bytes before headers are complete; the
 * {@link GatewayHandler} calls {@link #requestArrived()} when a whole request is in. Event-loop only.
 */
final class SlowClientGuard extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> deadline;
  private boolean waitingForRequest = true;

  SlowClientGuard(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (waitingForRequest && deadline == null) {
      deadline = ctx.executor().schedule(() -> {
        deadline = null;
        ctx.close();
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  /** The request is complete: the read timeout no longer applies until the next one begins. */
  void requestArrived() {
    waitingForRequest = false;
    cancel();
  }

  /** The answer is written: the next bytes begin a new request. */
  void answered() {
    cancel();
    waitingForRequest = true;
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }
}
