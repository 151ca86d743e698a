package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import dev.beacon.Message;
import dev.beacon.Track;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The consumer's deep sleep against a producer (issue 20, item 10), with Beacon's ring: before it
 * parks, the consumer raises its {@code deepSleeping} flag and then reads the ring's cursor; a
 * producer claims a slot (a CAS on that cursor), publishes, and then reads the flag to decide
 * whether to unpark it ({@code Consumer.nudgeIfDeep}). If the consumer parks (it saw no new
 * message), the producer must see the flag and wake it; otherwise the message waits for the next
 * wake-up.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the consumer saw the message, and was woken anyway")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the consumer saw the message and did not park")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the consumer parks and the producer wakes it")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "the consumer parks and nobody wakes it")
@State
public class DeepIdleWakeUpStress {
  private static final Message MESSAGE = Track.builder("Stress").userId("u").build();

  private final RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, 4, new YieldingWaitStrategy()); // as the engine's: publish signals nothing
  private volatile boolean deepSleeping;
  private final long lastSeq = ring.getCursor();

  /** Consumer.run before a deep park: raise the flag, then re-check the cursor. */
  @Actor
  public void consumer(ZZ_Result r) {
    deepSleeping = true;
    java.lang.invoke.VarHandle.fullFence(); // as Consumer.run: the cursor is read with an acquire load only
    r.r1 = ring.getCursor() != lastSeq;
  }

  /** Engine.tryPublish then Consumer.nudgeIfDeep. */
  @Actor
  public void producer(ZZ_Result r) {
    long seq = ring.next();
    ring.get(seq).message = MESSAGE;
    ring.publish(seq);
    r.r2 = deepSleeping;
  }
}
