package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import dev.beacon.Message;
import dev.beacon.Track;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The consumer's final pass against a producer publishing at the same moment (issue 20, item 10),
 * on Beacon's own ring and {@link Seal}: the producer publishes through Disruptor's
 * {@code RingBuffer.publish} (a release store) and asks {@link Seal#sealedAfterPublish()}; the final
 * pass calls {@link Seal#seal()} and then polls the ring as {@code Consumer.settleRest} does. The
 * message is lost only when neither sees the other. Without the fences in {@link Seal} this store-load
 * pattern lets both miss on x86 (the producer's publish waits in the store buffer while it reads the
 * seal).
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "both saw each other: the message is settled (at least) once")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the producer saw the seal and settles the ring itself")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the final pass took the message")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "lost: no seal seen and the final pass missed the message")
@State
public class SealHandoffStress {
  private static final Message MESSAGE = Track.builder("Stress").userId("u").build();

  private final RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, 4, new YieldingWaitStrategy()); // as the engine's: publish signals nothing
  private final EventPoller<Slot> poller = ring.newPoller();
  private final Seal seal = new Seal();

  /** Creates the ring and its only consumer's poller. */
  public SealHandoffStress() {
    ring.addGatingSequences(poller.getSequence());
  }

  /** A producer inside the admission gate: claim, fill, publish, then check the seal (Engine.offer). */
  @Actor
  public void producer(ZZ_Result r) {
    long seq = ring.next();
    ring.get(seq).message = MESSAGE;
    ring.publish(seq);
    r.r1 = seal.sealedAfterPublish();
  }

  /** The consumer's final pass: seal, then read whatever the ring still holds (Consumer.finalPass). */
  @Actor
  public void finalPass(ZZ_Result r) {
    seal.seal();
    boolean[] saw = new boolean[1];
    try {
      poller.poll((slot, seq, end) -> {
        saw[0] |= slot.message != null;
        return true;
      });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    r.r2 = saw[0];
  }
}
