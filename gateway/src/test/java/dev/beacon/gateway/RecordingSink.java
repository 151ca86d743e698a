package dev.beacon.gateway;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A sink for tests: records what it is given, or fails or holds appends as told. */
final class RecordingSink implements Sink {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final List<Event> events = new ArrayList<>();
  private volatile Supplier<RuntimeException> failure;
  private volatile CountDownLatch hold;
  private volatile boolean ready = true;
  volatile boolean closed;

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  List<Map<String, Object>> messages() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Event e : events()) {
      try {
        out.add(MAPPER.readValue(e.json(), new TypeReference<Map<String, Object>>() {}));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return out;
  }

  void failWith(Supplier<RuntimeException> f) {
    this.failure = f;
  }

  void holdAppends(CountDownLatch latch) {
    this.hold = latch;
  }

  void ready(boolean r) {
    this.ready = r;
  }

  @Override
  public CompletableFuture<Void> append(List<Event> batch) {
    Supplier<RuntimeException> f = failure;
    if (f != null) {
      return CompletableFuture.failedFuture(f.get());
    }
    CountDownLatch h = hold;
    if (h != null) {
      // A thread of its own, not the common pool (which may have a single worker on 2 cores).
      CompletableFuture<Void> done = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          h.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        record(batch);
        done.complete(null);
      }, "recording-sink-held-append");
      t.setDaemon(true);
      t.start();
      return done;
    }
    record(batch);
    return CompletableFuture.completedFuture(null);
  }

  private synchronized void record(List<Event> batch) {
    events.addAll(batch);
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public String state() {
    return ready ? "recording" : "not ready";
  }

  @Override
  public boolean close(Duration timeout) {
    closed = true;
    return true;
  }
}
