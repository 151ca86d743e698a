package dev.beacon.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The one way a Beacon thread waits for another (issue 20, "make waiting one thing"): a set of
 * parked waiters, woken by unpark, with no timed wait but the caller's own deadline. Every hand-off
 * in the engine — flush and close waiting for delivery, producers waiting for a group commit or for
 * room, the consumer waiting for a request slot, close waiting for the admission gate — is a
 * condition checked through one of these. Modelled on Disruptor's blocking wait strategies and
 * {@link java.util.concurrent.locks.AbstractQueuedSynchronizer}'s register-then-recheck.
 *
 * <p><b>The hand-off.</b> A waiter registers (a volatile increment of {@link #waiting}), then
 * checks its condition, then parks. A signaller first changes the state the condition reads, then
 * calls {@link #signal()}, which reads {@link #waiting} and unparks every registered waiter. When
 * both the state change and the registration are sequentially consistent (volatile writes, atomic
 * read-modify-writes, or writes under a lock the condition also takes), one of the two sides always
 * sees the other: either the waiter's check sees the new state, or the signaller sees the waiter
 * and unparks it — and an unpark that comes before the park makes the park return at once. No
 * wake-up can be lost, so no wait needs a safety-net timeout. A state published by a release store
 * only (Disruptor's sequences, {@code lazySet}) needs {@link #signalAfterRelease()}, which adds the
 * full fence that store lacks.
 *
 * <p><b>Cost.</b> {@link #signal()} with nobody waiting is one volatile read: cheap enough for the
 * consumer's loop and for producers leaving the admission gate. Waiting allocates (the set's node,
 * the condition), which only waiters pay. Spurious wake-ups are harmless: a waiter re-checks its
 * condition after every return from park. Not API.
 */
final class Signal {
  private static final VarHandle WAITING;

  static {
    try {
      WAITING = MethodHandles.lookup().findVarHandle(Signal.class, "waiting", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** No deadline: wait until the condition holds (or, for interruptible waits, an interrupt). */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
  /** What a waiting thread shows in a thread dump ("parking to wait for ..."). */
  private final Object blocker;
  /** Registered waiters; read by every {@link #signal()}, so kept apart from the set. */
  @SuppressWarnings("unused") // through WAITING
  private volatile int waiting;

  /** A signal that waiting threads show as their park blocker. */
  Signal() {
    this.blocker = this;
  }

  /**
   * A signal whose waiters show {@code owner} as their park blocker, so that a thread dump (and a
   * test, through {@link LockSupport#getBlocker}) tells what they wait for.
   *
   * @param owner the object the wait belongs to
   */
  Signal(Object owner) {
    this.blocker = owner;
  }

  /**
   * Wakes every thread waiting now. Call it after changing, with a sequentially consistent write,
   * the state a waiter's condition reads. One volatile read when nobody waits.
   *
   * @return whether it saw a waiter (and unparked every registered one)
   */
  boolean signal() {
    if ((int) WAITING.getVolatile(this) > 0) {
      for (Thread t : waiters) {
        LockSupport.unpark(t);
      }
      return true;
    }
    return false;
  }

  /**
   * {@link #signal()} after a state change published by a release store only (a Disruptor
   * sequence, {@code lazySet}): the full fence orders that store before the read of the waiters,
   * which a release store alone does not (a store-load reordering would lose the wake-up).
   *
   * @return whether it saw a waiter
   */
  boolean signalAfterRelease() {
    VarHandle.fullFence();
    return signal();
  }

  /** Whether any thread waits now (a volatile read; for tests and cheap checks). */
  boolean hasWaiters() {
    return (int) WAITING.getVolatile(this) > 0;
  }

  /**
   * Waits until {@code done} holds or the deadline passes; an interrupt ends the wait and stays
   * set.
   *
   * @param done the condition; read before parking and after every wake-up
   * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@link #NO_DEADLINE}
   * @return true when {@code done} held; false at the deadline or on interrupt (the interrupt
   *     status stays set)
   */
  boolean await(BooleanSupplier done, long deadlineNanos) {
    if (done.getAsBoolean()) {
      return true;
    }
    Thread me = Thread.currentThread();
    register(me);
    try {
      while (!done.getAsBoolean()) {
        if (me.isInterrupted()) {
          return false;
        }
        if (deadlineNanos == NO_DEADLINE) {
          LockSupport.park(blocker);
        } else {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          LockSupport.parkNanos(blocker, left);
        }
      }
      return true;
    } finally {
      deregister(me);
    }
  }

  /**
   * The waiter's half of the hand-off, before it re-checks its condition (package-private for the
   * jcstress test, {@code SignalHandoffStress}).
   */
  void register(Thread me) {
    waiters.add(me);
    WAITING.getAndAdd(this, 1);
    // Registered, then fenced, then the condition's re-check: see the class comment. The fence
    // also covers conditions that read with acquire loads only (Disruptor's sequences).
    VarHandle.fullFence();
  }

  void deregister(Thread me) {
    WAITING.getAndAdd(this, -1);
    waiters.remove(me);
  }

  /**
   * Like {@link #await(BooleanSupplier, long)}, but an interrupt is an exception, as in
   * {@link Object#wait()}.
   *
   * @param done the condition
   * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@link #NO_DEADLINE}
   * @return true when {@code done} held; false at the deadline
   * @throws InterruptedException when the thread is interrupted before or while it waits (the
   *     interrupt status is cleared)
   */
  boolean awaitInterruptibly(BooleanSupplier done, long deadlineNanos) throws InterruptedException {
    boolean held = await(done, deadlineNanos);
    if (!held && Thread.interrupted()) {
      throw new InterruptedException();
    }
    return held;
  }

  /**
   * Waits until {@code done} holds, ignoring interrupts (each one is cleared and the wait goes
   * on): for a thread that only a state change may stop, such as the consumer, which holds
   * accepted messages. {@code done} must include that stop.
   *
   * @param done the condition, including whatever stops the waiter
   * @return whether the thread was interrupted while it waited (the status is cleared)
   */
  boolean awaitUninterruptibly(BooleanSupplier done) {
    boolean interrupted = false;
    while (!await(done, NO_DEADLINE)) {
      interrupted |= Thread.interrupted();
    }
    return interrupted;
  }
}
