package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The admission gate of {@code Engine.offer} against {@code close()} (issue 20, item 10), with the
 * same primitives the engine uses: a producer counts itself in a {@link LongAdder} and then reads
 * the volatile state; the closer writes the state and then sums the adder. The producer may accept
 * a call only if the closer will wait for it. A model of the protocol (the engine's gate is not a
 * class of its own): it proves that {@code LongAdder.increment} followed by a volatile read, against a
 * volatile write followed by {@code sum()}, never lets both miss each other on the JVM it runs on.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "accepted, and the closer waits for the producer")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "refused (closing); the closer saw it in the gate")
@Outcome(id = "false, false", expect = ACCEPTABLE, desc = "impossible in SC but harmless: refused")
@Outcome(id = "true, false", expect = FORBIDDEN, desc = "accepted after close stopped waiting for the gate")
@State
public class AdmissionGateStress {
  private final LongAdder activeProducers = new LongAdder();
  private volatile boolean running = true;

  /** Engine.offer: enter the gate, then check the state. */
  @Actor
  public void producer(ZZ_Result r) {
    activeProducers.increment();
    r.r1 = running;
  }

  /** Engine.doClose: flip the state, then look for callers in the gate. */
  @Actor
  public void closer(ZZ_Result r) {
    running = false;
    r.r2 = activeProducers.sum() > 0;
  }
}
