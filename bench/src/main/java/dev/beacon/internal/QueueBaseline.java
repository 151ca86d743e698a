package dev.beacon.internal;

import dev.beacon.Message;
import dev.beacon.Track;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The design the ring is measured against: the same pipeline with a
 * {@link ArrayBlockingQueue} in place of the Disruptor ring. Producers build the message exactly
 * as {@code Analytics.track} does, reserve its size bound against {@code maxQueueBytes} and
 * {@code offer()} it (or wait up to the block timeout); one consumer thread takes messages,
 * serializes them with the engine's own {@link Assembler} and cuts a {@link dev.beacon.spi.Batch}
 * every {@code flushAt} messages (or as soon as the queue runs dry), which it then discards, as
 * {@code send(false)} does. Bench code, not API.
 */
public final class QueueBaseline implements AutoCloseable {
  private final ArrayBlockingQueue<Message> queue;
  private final long maxQueueBytes;
  private final int flushAt;
  private final long blockNanos;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong processed = new AtomicLong();
  private final Thread consumer;
  private volatile boolean closed;

  /**
   * Starts a baseline pipeline.
   *
   * @param capacity queue capacity (the ring's size in the comparison)
   * @param maxQueueBytes bound on reserved bytes, as in the engine
   * @param flushAt batch size
   * @param block how long a full queue blocks a call; zero drops at once
   * @param startConsumer false leaves the queue undrained (the "queue full" scenario)
   */
  public QueueBaseline(int capacity, long maxQueueBytes, int flushAt, Duration block, boolean startConsumer) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxQueueBytes = maxQueueBytes;
    this.flushAt = flushAt;
    this.blockNanos = block.toNanos();
    this.consumer = new Thread(this::consume, "queue-baseline-consumer");
    consumer.setDaemon(true);
    if (startConsumer) {
      consumer.start();
    }
  }

  /**
   * Same contract as {@code Analytics.track}.
   *
   * @param userId the user
   * @param event the event name
   * @param properties the properties
   * @return true when accepted
   */
  public boolean track(String userId, String event, Map<String, ?> properties) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be null or blank");
    }
    return offer(Track.builder(event).userId(userId).properties(properties).build());
  }

  /**
   * Enqueues a built message.
   *
   * @param m the message
   * @return true when accepted
   */
  public boolean offer(Message m) {
    if (closed) {
      dropped.increment();
      return false;
    }
    long size = m.serializedSizeBound();
    if (queuedBytes.addAndGet(size) > maxQueueBytes) {
      queuedBytes.addAndGet(-size);
      dropped.increment();
      return false;
    }
    boolean ok;
    if (blockNanos > 0) {
      try {
        ok = queue.offer(m, blockNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ok = false;
      }
    } else {
      ok = queue.offer(m);
    }
    if (ok) {
      accepted.increment();
      return true;
    }
    queuedBytes.addAndGet(-size);
    dropped.increment();
    return false;
  }

  /**
   * Returns how many messages the consumer serialized into batches.
   *
   * @return the count
   */
  public long processed() {
    return processed.get();
  }

  /**
   * Returns how many calls were accepted.
   *
   * @return the count
   */
  public long accepted() {
    return accepted.sum();
  }

  /**
   * Waits until every accepted message was processed, at most {@code timeout}.
   *
   * @param timeout the longest wait
   * @return true when drained
   */
  public boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (processed.get() < accepted.sum()) {
      if (System.nanoTime() - deadline >= 0 || !consumer.isAlive()) {
        return false;
      }
      LockSupport.parkNanos(50_000);
    }
    return true;
  }

  private void consume() {
    Assembler asm = new Assembler();
    try {
      while (!closed) {
        Message m = queue.poll(1, TimeUnit.MILLISECONDS);
        if (m == null) {
          if (!asm.isEmpty()) {
            cut(asm); // ran dry: send the partial batch, like the engine's flush
          }
          continue;
        }
        asm.add(m);
        if (asm.count() >= flushAt) {
          cut(asm);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void cut(Assembler asm) {
    Assembler.Cut c = asm.cut(asm.count());
    queuedBytes.addAndGet(-c.reservedBytes());
    processed.addAndGet(c.batch().size());
  }

  @Override
  public void close() {
    closed = true;
    consumer.interrupt();
    try {
      consumer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
