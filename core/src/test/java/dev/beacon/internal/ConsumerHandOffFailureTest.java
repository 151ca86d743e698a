package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Track;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 11: a {@link Throwable} on the consumer thread between cutting a batch and handing
 * it to the dispatcher used to lose the batch silently and leave its tracker entry open, so that a
 * flush waited out its whole timeout. Now the batch is reported and the flush ends.
 */
class ConsumerHandOffFailureTest {

  /** A scheduler that cannot take work: as when the JVM runs out of memory for a task. */
  private static final class FailingScheduler extends ScheduledThreadPoolExecutor {
    FailingScheduler() {
      super(1);
    }

    @Override
    public void execute(Runnable command) {
      throw new OutOfMemoryError("simulated: no memory to schedule the delivery");
    }
  }

  @Test
  void aBatchThatCannotBeHandedOverIsReportedAndFlushEnds() throws Exception {
    List<FailureReason> reasons = new CopyOnWriteArrayList<>();
    List<Message> reported = new CopyOnWriteArrayList<>();
    Transport transport = batch -> CompletableFuture.completedFuture(SendResult.delivered(200));
    EngineConfig cfg = new EngineConfig(16, 1 << 20, 3, 100, 500_000, Duration.ofHours(1),
        QueueFullPolicy.dropNewest(), RetryPolicy.builder().build(), (error, messages) -> {
          reasons.add(error.reason());
          reported.addAll(messages);
        }, Thread::new, null, true, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), null,
        SpoolDurability.BUFFERED, null, null);
    Counters counters = new Counters();
    Tracker tracker = new Tracker();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    FailingScheduler scheduler = new FailingScheduler();
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, 16, new YieldingWaitStrategy());
    Consumer consumer = new Consumer(cfg, ring, dispatcher, tracker, counters, reporter, null);
    Thread t = new Thread(consumer, "test-consumer");
    t.start();
    try {
      for (int i = 0; i < 3; i++) {
        Message m = Track.builder("Event " + i).userId("u").build();
        counters.queuedBytes.addAndGet(m.serializedSizeBound());
        long seq = ring.next();
        ring.get(seq).message = m;
        ring.publish(seq);
      }
      consumer.requestFlush(2);
      // Before the fix this waited the whole 60 s: the batch was gone and its entry stayed open.
      assertThat(tracker.await(2, System.nanoTime() + TimeUnit.SECONDS.toNanos(60)))
          .as("every message up to the flush target is settled").isTrue();
      assertThat(reasons).containsExactly(FailureReason.INTERNAL_ERROR);
      assertThat(reported).extracting(m -> ((Track) m).event())
          .containsExactly("Event 0", "Event 1", "Event 2");
      assertThat(counters.failed.get()).isEqualTo(3);
      assertThat(counters.queuedBytes.get()).isZero();
      // The request slot came back: the next batch can be cut.
      assertThat(dispatcher.tryAcquire()).isTrue();
    } finally {
      consumer.halt();
      t.join(10_000);
      scheduler.shutdownNow();
    }
  }
}
