package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.Semaphore;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The consumer's (and the spool reader's) deep sleep against a request slot being released (issue
 * 20): a batch that wants a cut found no slot; before it parks, the sleeper raises its
 * {@code deepSleeping} flag and then reads whether a slot is free ({@code Dispatcher.hasFreeSlot});
 * the dispatcher releases the slot (an atomic update of the semaphore) and then reads the flag to
 * decide whether to unpark it ({@code Consumer.nudgeIfDeep}, {@code SpoolSender.wakeIfDeep}). If
 * the sleeper parks (it saw no free slot), the releaser must see the flag and wake it. Before the
 * re-check looked at the slot, the batch slept out a 1 s cap.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the sleeper saw the slot, and was woken anyway")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the sleeper saw the slot and did not park")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the sleeper parks and the releaser wakes it")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "the sleeper parks with a batch waiting and a free slot, and nobody wakes it")
@State
public class DeepIdleSlotWakeUpStress {
  private final Semaphore permits = new Semaphore(0); // the one slot is taken by the batch in flight
  private volatile boolean deepSleeping;

  /** Consumer.run / SpoolSender.run before a deep park: raise the flag, then re-check the slot. */
  @Actor
  public void sleeper(ZZ_Result r) {
    deepSleeping = true;
    r.r1 = permits.availablePermits() > 0;
  }

  /** Dispatcher.releaseSlot, then the listener's nudgeIfDeep / wakeIfDeep. */
  @Actor
  public void releaser(ZZ_Result r) {
    permits.release();
    r.r2 = deepSleeping;
  }
}
