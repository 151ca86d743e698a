package dev.beacon.engine;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturingTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Holds every attempt unanswered until {@link #open()}, then hands it to a {@link CapturingTransport}:
 * "the request is still in flight" without guessing how long a latency lasts on a busy machine.
 */
final class GatedTransport implements Transport {
  final CapturingTransport capture;
  private final List<Runnable> held = new ArrayList<>();
  private boolean open;

  GatedTransport(CapturingTransport capture) {
    this.capture = capture;
  }

  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    synchronized (this) {
      if (!open) {
        CompletableFuture<SendResult> answer = new CompletableFuture<>();
        held.add(() -> capture.send(batch).whenComplete((r, t) -> {
          if (t != null) {
            answer.completeExceptionally(t);
          } else {
            answer.complete(r);
          }
        }));
        return answer;
      }
    }
    return capture.send(batch);
  }

  /** How many attempts are waiting for the gate. */
  synchronized int held() {
    return held.size();
  }

  /** Lets every held attempt and every later one through. */
  void open() {
    List<Runnable> release;
    synchronized (this) {
      open = true;
      release = new ArrayList<>(held);
      held.clear();
    }
    release.forEach(Runnable::run);
  }

  @Override
  public int maxConcurrentRequests() {
    return capture.maxConcurrentRequests();
  }

  @Override
  public void close() {
    capture.close();
  }
}
