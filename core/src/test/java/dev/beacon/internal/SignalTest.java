package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Signal}, the one way the engine waits: woken only by a signal after the state changes,
 * bounded only by the caller's deadline, with interrupts handled per method. Waits on conditions
 * with generous deadlines; never on sleeps or timings. The memory-ordering half of the hand-off is
 * proved by the jcstress tests {@code SignalHandoffStress} and {@code SignalWakeUpStress}.
 */
class SignalTest {
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Signal signal = new Signal();
  private Thread waiter;

  @AfterEach
  void stopWaiter() throws InterruptedException {
    if (waiter != null && waiter.isAlive()) {
      waiter.interrupt();
      waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    }
  }

  @Test
  void returnsAtOnceWhenTheConditionAlreadyHoldsEvenPastItsDeadline() {
    assertThat(signal.await(() -> true, System.nanoTime() - 1)).isTrue();
    assertThat(signal.hasWaiters()).isFalse();
  }

  @Test
  void signalWithNobodyWaitingWakesNobody() {
    assertThat(signal.signal()).isFalse();
    assertThat(signal.signalAfterRelease()).isFalse();
  }

  @Test
  void aSignalAfterTheStateChangeWakesAWaiterParkedWithoutDeadline() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Boolean> result = new AtomicReference<>();
    waiter = start(() -> result.set(signal.await(done::get, Signal.NO_DEADLINE)));
    awaitParked(waiter, Thread.State.WAITING);

    done.set(true);
    assertThat(signal.signal()).isTrue();

    waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(waiter.isAlive()).as("the waiter returned after the signal").isFalse();
    assertThat(result.get()).isTrue();
    assertThat(signal.hasWaiters()).isFalse();
  }

  @Test
  void aWaitWithoutDeadlineHasNoSafetyNetTimeout() throws Exception {
    // The state changes without a signal: nothing but a signal may end the wait. An untimed park
    // (WAITING, not TIMED_WAITING) shows there is no periodic re-check to cover a missed signal.
    AtomicBoolean done = new AtomicBoolean();
    waiter = start(() -> signal.await(done::get, Signal.NO_DEADLINE));
    awaitParked(waiter, Thread.State.WAITING);
    done.set(true);
    assertThat(waiter.getState()).isEqualTo(Thread.State.WAITING);
    assertThat(waiter.isAlive()).isTrue();

    signal.signal();
    waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(waiter.isAlive()).isFalse();
  }

  @Test
  void everyWaiterIsWokenBySignal() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger returned = new AtomicInteger();
    Thread[] waiters = new Thread[3];
    for (int i = 0; i < waiters.length; i++) {
      waiters[i] = start(() -> {
        if (signal.await(done::get, Signal.NO_DEADLINE)) {
          returned.incrementAndGet();
        }
      });
    }
    for (Thread t : waiters) {
      awaitParked(t, Thread.State.WAITING);
    }
    done.set(true);
    signal.signal();
    for (Thread t : waiters) {
      t.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    }
    assertThat(returned).hasValue(3);
  }

  @Test
  void theDeadlineEndsAWaitThatIsNeverSignalled() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    assertThat(signal.await(() -> false, deadline)).isFalse();
    assertThat(System.nanoTime() - deadline).isNotNegative();
    assertThat(signal.hasWaiters()).isFalse();
  }

  @Test
  void aSpuriousWakeUpOnlyReChecksTheCondition() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger checks = new AtomicInteger();
    BooleanSupplier condition = () -> {
      checks.incrementAndGet();
      return done.get();
    };
    waiter = start(() -> signal.await(condition, Signal.NO_DEADLINE));
    awaitParked(waiter, Thread.State.WAITING);
    int before = checks.get();
    signal.signal(); // nothing changed
    awaitTrue(() -> checks.get() > before && waiter.getState() == Thread.State.WAITING);
    assertThat(waiter.isAlive()).isTrue();

    done.set(true);
    signal.signal();
    waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(waiter.isAlive()).isFalse();
  }

  @Test
  void anInterruptEndsAwaitAndStaysSet() throws Exception {
    AtomicReference<Boolean> result = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    waiter = start(() -> {
      result.set(signal.await(() -> false, Signal.NO_DEADLINE));
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    awaitParked(waiter, Thread.State.WAITING);
    waiter.interrupt();
    waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(result.get()).isFalse();
    assertThat(stillInterrupted).isTrue();
  }

  @Test
  void awaitInterruptiblyThrowsOnInterruptAndClearsIt() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> signal.awaitInterruptibly(() -> false, Signal.NO_DEADLINE))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void awaitUninterruptiblyGoesOnAfterAnInterruptUntilTheConditionHolds() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Boolean> interrupted = new AtomicReference<>();
    waiter = start(() -> interrupted.set(signal.awaitUninterruptibly(done::get)));
    awaitParked(waiter, Thread.State.WAITING);
    waiter.interrupt();
    // Still waiting, parked again once it has cleared the interrupt.
    awaitTrue(() -> !waiter.isInterrupted() && waiter.getState() == Thread.State.WAITING);
    assertThat(waiter.isAlive()).isTrue();

    done.set(true);
    signal.signal();
    waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(waiter.isAlive()).isFalse();
    assertThat(interrupted.get()).as("reports the interrupt it swallowed").isTrue();
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r, "signal-test-waiter");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until {@code t} is registered and parked in {@code state}. */
  private void awaitParked(Thread t, Thread.State state) throws InterruptedException {
    awaitTrue(() -> signal.hasWaiters() && t.getState() == state);
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
      Thread.sleep(1);
    }
  }
}
