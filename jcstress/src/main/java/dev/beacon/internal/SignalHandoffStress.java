package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * {@link Signal}'s hand-off, the one every wait in the engine uses ("make waiting one thing",
 * issue 20), with a state published by a volatile write (the tracker's watermark, the journal's
 * {@code journaledSeq}, a count leaving the admission gate). The waiter registers and then
 * re-checks the state; the signaller writes the state and then calls {@link Signal#signal()},
 * which reports whether it saw a waiter to unpark. If the waiter's re-check misses the state, it
 * parks, and then the signaller must have seen it: both missing each other is a lost wake-up.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the waiter saw the state, and was signalled anyway")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the waiter saw the state and does not park")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the waiter parks and the signaller unparks it")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "lost wake-up: the waiter parks and nobody unparks it")
@State
public class SignalHandoffStress {
  private final Signal signal = new Signal();
  private volatile boolean done;

  /** Signal.await: register, then re-check the condition before parking. */
  @Actor
  public void waiter(ZZ_Result r) {
    signal.register(Thread.currentThread());
    r.r1 = done;
  }

  /** A signaller: a volatile write of the state, then signal(). */
  @Actor
  public void signaller(ZZ_Result r) {
    done = true;
    r.r2 = signal.signal();
  }

  /**
   * The same hand-off with a state published by a release store only, as the consumer frees ring
   * slots (Disruptor's sequence) and wakes producers waiting for room with
   * {@link Signal#signalAfterRelease()}. Without that method's full fence the store can be
   * reordered after the read of the waiters (x86's store buffer does it), and the wake-up is lost.
   */
  @JCStressTest
  @Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the waiter saw the state, and was signalled anyway")
  @Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the waiter saw the state and does not park")
  @Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the waiter parks and the signaller unparks it")
  @Outcome(id = "false, false", expect = FORBIDDEN, desc = "lost wake-up: the waiter parks and nobody unparks it")
  @State
  public static class AfterRelease {
    private static final VarHandle DONE;

    static {
      try {
        DONE = MethodHandles.lookup().findVarHandle(AfterRelease.class, "done", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Signal signal = new Signal();
    @SuppressWarnings("unused") // through DONE
    private boolean done;

    /** Signal.await with a condition that reads with an acquire load (a Disruptor sequence). */
    @Actor
    public void waiter(ZZ_Result r) {
      signal.register(Thread.currentThread());
      r.r1 = (boolean) DONE.getAcquire(this);
    }

    /** The consumer after a poll: the sequence's release store, then signalAfterRelease(). */
    @Actor
    public void signaller(ZZ_Result r) {
      DONE.setRelease(this, true);
      r.r2 = signal.signalAfterRelease();
    }
  }
}
