package dev.beacon.internal;

import java.lang.invoke.VarHandle;

/**
 * The hand-off between ring producers and the consumer's final pass, which must never lose a
 * message published while the consumer stops.
 *
 * <p>The producer publishes its slot, then reads the seal; the final pass writes the seal, then
 * reads the ring one last time. Each side writes one location and then reads the other (a
 * store-load pattern, as in Dekker's algorithm), so each needs a full fence between the two:
 * Disruptor 4 publishes with a release store ({@code setRelease}), which may otherwise be
 * reordered after the producer's read of the seal, letting both sides miss each other. With the
 * fences, either the producer sees the seal (and settles the ring itself, see
 * {@link Consumer#sweepLate()}) or the final pass sees the message. Proved by
 * {@code SealHandoffStress} in the jcstress module. Not API.
 */
final class Seal {
  private volatile boolean sealed;

  /** Whether the final pass began: a plain check, for refusing calls early. */
  boolean isSealed() {
    return sealed;
  }

  /** The final pass: seal, then (after this returns) read the ring one last time. */
  void seal() {
    sealed = true;
    VarHandle.fullFence();
  }

  /**
   * A producer that has just published: true when the final pass may have missed its message,
   * so the producer must settle the ring itself.
   */
  boolean sealedAfterPublish() {
    VarHandle.fullFence();
    return sealed;
  }
}
