package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;

/**
 * {@link Signal} end to end, with real parking: a thread waits with no deadline (as a producer
 * waits for its group commit) while another changes the state and signals, at any moment
 * relative to the wait — before it registers, between its re-check and its park, or while it is
 * parked. The waiter must always return. jcstress's termination mode reports a waiter still
 * blocked after the signal as {@code STALE}: a lost wake-up. (Before issue 20 the engine's waits
 * carried 1-50 ms safety-net timeouts that would hide exactly this.)
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "the waiter returned")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "lost wake-up: the waiter stays parked after the signal")
@State
public class SignalWakeUpStress {
  private final Signal signal = new Signal();
  private volatile boolean done;

  /** Waits with no deadline; an interrupt (jcstress's way to end a stale run) ends it too. */
  @Actor
  public void waiter() {
    signal.await(() -> done, Signal.NO_DEADLINE);
  }

  /** Changes the state, then signals. */
  @org.openjdk.jcstress.annotations.Signal
  public void signaller() {
    done = true;
    signal.signal();
  }
}
