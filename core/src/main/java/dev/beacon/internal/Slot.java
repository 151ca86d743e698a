package dev.beacon.internal;

import com.lmax.disruptor.EventTranslatorOneArg;
import dev.beacon.Message;

/**
 * One ring entry: a {@link Message}, or a message already serialized ({@link RawMessage}); never
 * both. Cleared by the consumer as soon as it is read. Not API.
 */
final class Slot {
  Message message;
  RawMessage raw;

  /** Static translator: publishing allocates nothing. */
  static final EventTranslatorOneArg<Slot, Message> TRANSLATOR = (slot, seq, message) -> slot.message = message;
}
