package dev.beacon.testkit;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link Transport} that records every batch it delivers, parsed back from the exact
 * bytes that would have gone on the wire. Scripted {@link Fault}s let a test exercise retries and
 * error callbacks. Thread-safe.
 *
 * <pre>{@code
 * CapturingTransport capture = new CapturingTransport();
 * Analytics analytics = Analytics.builder("test-key").transport(capture).build();
 * analytics.track("user_1", "Signed Up", Map.of());
 * analytics.flush();
 * BeaconAssertions.assertThat(capture).hasTracked("Signed Up");
 * }</pre>
 */
public final class CapturingTransport implements Transport, MessageRecorder {
  private final Object lock = new Object();
  private final List<List<CapturedMessage>> batches = new ArrayList<>();
  private final List<CapturedMessage> messages = new ArrayList<>();
  private final ArrayDeque<Fault> faults = new ArrayDeque<>();
  private final int maxConcurrentRequests;
  private Duration latency = Duration.ZERO;
  private long attempts;
  private volatile boolean closed;

  /** A capture with one request in flight at a time, like the default HTTP transport. */
  public CapturingTransport() {
    this(1);
  }

  /**
   * A capture that lets the engine keep several batches in flight.
   *
   * @param maxConcurrentRequests at least 1
   */
  public CapturingTransport(int maxConcurrentRequests) {
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException("maxConcurrentRequests must be >= 1 but was " + maxConcurrentRequests);
    }
    this.maxConcurrentRequests = maxConcurrentRequests;
  }

  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    Fault fault;
    Duration delay;
    synchronized (lock) {
      attempts++;
      fault = faults.pollFirst();
      delay = fault != null ? fault.latency() : latency;
    }
    if (closed) {
      return CompletableFuture.completedFuture(SendResult.permanent(0, "transport closed", null));
    }
    byte[] body = batch.toJson(Instant.now());
    if (delay.isZero()) {
      return CompletableFuture.completedFuture(answer(fault, body));
    }
    Executor later = CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
    return CompletableFuture.supplyAsync(() -> answer(fault, body), later);
  }

  private SendResult answer(Fault fault, byte[] body) {
    if (fault != null && fault.result() != null) {
      return fault.result();
    }
    List<CapturedMessage> parsed = WireFormat.parseBatch(body);
    synchronized (lock) {
      batches.add(Collections.unmodifiableList(parsed));
      messages.addAll(parsed);
      lock.notifyAll();
    }
    return SendResult.delivered(200);
  }

  @Override
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /**
   * Makes the next {@code n} sends answer with {@code fault} instead of delivering.
   *
   * @param n how many sends
   * @param fault what they answer
   * @return this capture
   */
  public CapturingTransport failNext(int n, Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      for (int i = 0; i < n; i++) {
        faults.addLast(fault);
      }
    }
    return this;
  }

  /**
   * Delays every successful answer (to test timeouts and backpressure).
   *
   * @param latency the delay, zero for none
   * @return this capture
   */
  public CapturingTransport latency(Duration latency) {
    synchronized (lock) {
      this.latency = Objects.requireNonNull(latency);
    }
    return this;
  }

  /**
   * Returns the delivered batches, each as its messages.
   *
   * @return an unmodifiable copy, in delivery order
   */
  public List<List<CapturedMessage>> batches() {
    synchronized (lock) {
      return List.copyOf(batches);
    }
  }

  /**
   * Returns how many sends were attempted, faults included.
   *
   * @return the attempt count
   */
  public long attempts() {
    synchronized (lock) {
      return attempts;
    }
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
      while (messages.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected at least " + count + " message(s) within " + timeout
              + " but " + messages.size() + " arrived");
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

  /** Forgets everything recorded and any scripted fault, and reopens a closed capture for reuse. */
  @Override
  public void reset() {
    synchronized (lock) {
      batches.clear();
      messages.clear();
      faults.clear();
      latency = Duration.ZERO;
      attempts = 0;
      closed = false;
    }
  }

  /**
   * Returns whether the client closed this transport.
   *
   * @return true after {@link #close()}
   */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
